package com.widgets.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * charts/widgets as Helm renders it for the default values, the bundled-Citus example and an external database with
 * every secret from existing Secrets: what a cluster would be asked to run.
 */
class ChartTest {

    static final Path BUNDLED = Rendered.CHART.resolve("values-citus-bundled.yaml");
    static final Path EXTERNAL = Rendered.CHART.resolve("ci/external-values.yaml");
    private static final Pattern SECRET_NAME = Pattern.compile(".*(PASSWORD|TOKEN|SECRET).*");

    static Stream<Arguments> valuesFiles() {
        return Stream.of(
                Arguments.of("default", null),
                Arguments.of("citus-bundled", BUNDLED),
                Arguments.of("external", EXTERNAL));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesFiles")
    void lintsStrictlyClean(String name, Path values, @TempDir Path temp) throws Exception {
        Path chart = values == null ? Rendered.CHART : Rendered.chartWithValues(values, temp.resolve("widgets"));

        LintResult lint = new Helm(chart).lint().strict().call();

        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesFiles")
    void everyPodRunsAsNonRootWithPinnedImagesAndLimits(String name, Path values) {
        Rendered chart = Rendered.with(values);

        chart.podSpecs().forEach((pod, spec) -> {
            assertThat(spec.getSecurityContext().getRunAsNonRoot()).as(pod).isTrue();
            assertThat(spec.getSecurityContext().getRunAsUser()).as(pod).isPositive();
            assertThat(spec.getAutomountServiceAccountToken()).as(pod).isFalse();
        });
        chart.containers().forEach((container, c) -> {
            assertThat(c.getImage()).as(container).matches("[^:]+:[^:]+").doesNotEndWith(":latest");
            assertThat(c.getSecurityContext().getAllowPrivilegeEscalation())
                    .as(container)
                    .isFalse();
            assertThat(c.getSecurityContext().getCapabilities().getDrop())
                    .as(container)
                    .containsExactly("ALL");
            assertThat(c.getResources().getLimits()).as(container).containsKey("memory");
            assertThat(c.getResources().getRequests()).as(container).containsKeys("cpu", "memory");
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesFiles")
    void noSecretIsAPlainEnvironmentValue(String name, Path values) {
        Rendered chart = Rendered.with(values);

        chart.containers().forEach((container, c) -> {
            for (EnvVar env : c.getEnv()) {
                if (SECRET_NAME.matcher(env.getName()).matches()) {
                    assertThat(env.getValue())
                            .as(container + " " + env.getName())
                            .isNull();
                    assertThat(env.getValueFrom().getSecretKeyRef())
                            .as(container + " " + env.getName())
                            .isNotNull();
                }
            }
        });
    }

    @Test
    void theApiProbesActuatorRunsWithoutMigrationsAndWritesOnlyItsVolumes() {
        Deployment api = Rendered.with(null).one(Deployment.class, "-api");
        PodSpec pod = api.getSpec().getTemplate().getSpec();
        Container container = pod.getContainers().get(0);

        assertThat(api.getSpec().getReplicas()).isEqualTo(2);
        assertThat(path(container.getLivenessProbe())).isEqualTo("/actuator/health/liveness");
        assertThat(path(container.getStartupProbe())).isEqualTo("/actuator/health/liveness");
        assertThat(path(container.getReadinessProbe())).isEqualTo("/actuator/health/readiness");
        assertThat(env(container, "SPRING_LIQUIBASE_ENABLED")).isEqualTo("false");
        assertThat(env(container, "WIDGETS_REWIRING_UPLOAD_DIR")).isEqualTo("/srv/widgets/uploads");
        assertThat(env(container, "WIDGETS_INGEST_INBOX"))
                .as("the CronJob runs the inbox")
                .isNull();
        assertThat(env(container, "SPRING_DATASOURCE_URL"))
                .isEqualTo("jdbc:postgresql://citus-coordinator:5432/widgets");

        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(mounts(container)).containsEntry("/tmp", "tmp").containsEntry("/srv/widgets", "data");
        assertThat(volume(pod, "tmp").getEmptyDir()).isNotNull();
        assertThat(volume(pod, "data").getPersistentVolumeClaim().getClaimName())
                .isEqualTo("demo-widgets-data");
        assertThat(Rendered.with(null)
                        .one(PodDisruptionBudget.class, "-api")
                        .getSpec()
                        .getMinAvailable()
                        .getIntVal())
                .isEqualTo(1);
    }

    @Test
    void migrationsRunBeforeInstallAndEveryUpgradeAndExit() {
        Job job = Rendered.with(null).one(Job.class, "-migrations");

        assertThat(job.getMetadata().getAnnotations())
                .containsEntry("helm.sh/hook", "pre-install,pre-upgrade")
                .containsEntry("helm.sh/hook-weight", "0")
                .containsEntry("helm.sh/hook-delete-policy", "before-hook-creation,hook-succeeded");
        Container migrate =
                job.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(migrate.getImage()).isEqualTo("widgets/widgets-ingest:0.1.0-SNAPSHOT");
        assertThat(migrate.getCommand())
                .as("the image's entrypoint: the command-line job")
                .isEmpty();
        assertThat(migrate.getArgs()).containsExactly("--migrate");
        assertThat(env(migrate, "SPRING_LIQUIBASE_ENABLED")).isEqualTo("true");
        assertThat(job.getSpec().getTemplate().getSpec().getRestartPolicy()).isEqualTo("Never");
    }

    @Test
    void migrationsMayRunAsADatabaseRoleOfTheirOwn() {
        Rendered chart = Rendered.with(
                EXTERNAL, "migrations.database.username=widgets_owner", "migrations.database.existingSecret=owner-db");
        Container migrate = migrationsContainer(chart);
        Container api = apiContainer(chart);
        Container rewire = chart.one(CronJob.class, "-rewiring")
                .getSpec()
                .getJobTemplate()
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);

        assertThat(env(migrate, "SPRING_DATASOURCE_USERNAME")).isEqualTo("widgets_owner");
        assertThat(secretRef(migrate, "SPRING_DATASOURCE_PASSWORD")).isEqualTo("owner-db/password");
        assertThat(env(migrate, "SPRING_DATASOURCE_URL")).isEqualTo(env(api, "SPRING_DATASOURCE_URL"));
        for (Container service : List.of(api, rewire)) {
            assertThat(env(service, "SPRING_DATASOURCE_USERNAME")).isEqualTo("widgets");
            assertThat(secretRef(service, "SPRING_DATASOURCE_PASSWORD")).isEqualTo("widgets-db/password");
        }

        Container bundled = migrationsContainer(Rendered.with(BUNDLED, "migrations.database.username=citus_owner"));
        assertThat(env(bundled, "SPRING_DATASOURCE_USERNAME")).isEqualTo("citus_owner");
        assertThat(find(bundled, "SPRING_DATASOURCE_PASSWORD"))
                .as("no Secret named: no password passed")
                .isEmpty();
        Container byDefault = migrationsContainer(Rendered.with(BUNDLED));
        assertThat(env(byDefault, "SPRING_DATASOURCE_USERNAME")).isEqualTo("widgets");
        assertThat(secretRef(byDefault, "SPRING_DATASOURCE_PASSWORD")).endsWith("/database-password");
    }

    private static Container migrationsContainer(Rendered chart) {
        return chart.one(Job.class, "-migrations")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);
    }

    private static Container apiContainer(Rendered chart) {
        return chart.one(Deployment.class, "-api")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);
    }

    @Test
    void theRewiringCronJobRunsTheInboxOneRunAtATimeInTheModeOfTheValues() {
        CronJob cron = Rendered.with(EXTERNAL).one(CronJob.class, "-rewiring");
        PodSpec pod = cron.getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
        Container rewire = pod.getContainers().get(0);

        assertThat(cron.getSpec().getConcurrencyPolicy()).isEqualTo("Forbid");
        assertThat(cron.getSpec().getSchedule()).isEqualTo("0 * * * *");
        assertThat(env(rewire, "MODE")).isEqualTo("dry-run");
        assertThat(env(rewire, "SPRING_LIQUIBASE_ENABLED")).isEqualTo("false");
        assertThat(rewire.getImage()).isEqualTo("registry.example.com/widgets/widgets-ingest:1.0.0");
        assertThat(rewire.getCommand()).containsExactly("/bin/sh", "-c");
        assertThat(rewire.getArgs().get(0))
                .contains("inbox=/srv/widgets/inbox")
                .contains("com.widgets.ingest.cli.IngestCommandLine --file=\"$file\" --mode=\"$MODE\"");
        assertThat(mounts(rewire)).containsEntry("/srv/widgets", "data");
        assertThat(volume(pod, "data").getPersistentVolumeClaim().getClaimName())
                .isEqualTo("widgets-shared");
    }

    @Test
    void theInboxIsRunByTheCronJobOrTheApiNeverBoth() {
        Rendered byApi = Rendered.with(null, "rewiring.inbox.runBy=api");

        assertThat(byApi.all(CronJob.class)).isEmpty();
        Container api = apiContainer(byApi);
        assertThat(env(api, "WIDGETS_INGEST_INBOX")).isEqualTo("/srv/widgets/inbox");
    }

    @Test
    void anExternalDatabaseTakesEverySecretFromExistingSecrets() {
        Rendered chart = Rendered.with(EXTERNAL);
        Container api = apiContainer(chart);
        Container migrate = migrationsContainer(chart);

        assertThat(chart.all(Secret.class)).as("the chart makes none").isEmpty();
        assertThat(secretRef(api, "SPRING_DATASOURCE_PASSWORD")).isEqualTo("widgets-db/password");
        assertThat(secretRef(migrate, "SPRING_DATASOURCE_PASSWORD")).isEqualTo("widgets-db/password");
        assertThat(secretRef(api, "WIDGETS_SECURITY_ADMIN_TOKEN")).isEqualTo("widgets-admin/token");
        assertThat(env(api, "SPRING_DATASOURCE_URL"))
                .isEqualTo("jdbc:postgresql://coordinator.citus.svc:5432/widgets?sslmode=require");
        assertThat(env(api, "SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_ISSUER_URI"))
                .isEqualTo("https://login.example.com/realms/widgets");
        assertThat(env(api, "WIDGETS_SECURITY_ROLE_CLAIM")).isEqualTo("widgets_role");
        assertThat(env(api, "WIDGETS_GRAPHQL_MAX_PAGE_SIZE")).isEqualTo("500");
        assertThat(chart.all(StatefulSet.class)).as("no bundled Citus").isEmpty();
    }

    @Test
    void theExternalExampleScalesOnCpuBehindAnIngressAndIsScrapedWithTheAdminToken() {
        Rendered chart = Rendered.with(EXTERNAL);

        assertThat(chart.one(Deployment.class, "-api").getSpec().getReplicas())
                .as("the autoscaler owns it")
                .isNull();
        HorizontalPodAutoscaler hpa = chart.one(HorizontalPodAutoscaler.class, "-api");
        assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(3);
        assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(10);
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("demo-widgets-api");

        Ingress ingress = chart.one(Ingress.class, "demo-widgets");
        assertThat(ingress.getMetadata().getAnnotations())
                .containsEntry("nginx.ingress.kubernetes.io/proxy-read-timeout", "3600");
        assertThat(ingress.getSpec()
                        .getRules()
                        .get(0)
                        .getHttp()
                        .getPaths()
                        .get(0)
                        .getBackend()
                        .getService()
                        .getName())
                .isEqualTo("demo-widgets-api");

        GenericKubernetesResource monitor = chart.custom("ServiceMonitor").get(0);
        Map<String, Object> endpoint = monitor.get("spec", "endpoints", 0);
        assertThat(endpoint).containsEntry("path", "/actuator/prometheus").containsEntry("port", "http");
        assertThat(monitor.<Map<String, Object>>get("spec", "endpoints", 0, "authorization", "credentials"))
                .containsEntry("name", "widgets-admin")
                .containsEntry("key", "token");
    }

    @Test
    void byDefaultTheAdminTokenIsGeneratedIntoTheChartsSecret() {
        Rendered chart = Rendered.with(null);
        Container api = apiContainer(chart);

        Secret secret = chart.one(Secret.class, "demo-widgets");
        assertThat(secret.getData()).containsOnlyKeys("admin-token");
        assertThat(secretRef(api, "WIDGETS_SECURITY_ADMIN_TOKEN")).isEqualTo("demo-widgets/admin-token");
        assertThat(env(api, "SPRING_DATASOURCE_PASSWORD")).as("none given").isNull();
        assertThat(chart.has(Secret.class, "-hook")).isFalse();
    }

    @Test
    void theBundledCitusClusterFollowsTheWorkerCountAndIsRegisteredBeforeTheMigrations() {
        Rendered chart = Rendered.with(BUNDLED, "citus.workers.count=4");

        assertThat(chart.one(StatefulSet.class, "-citus").getSpec().getReplicas())
                .isEqualTo(1);
        StatefulSet workers = chart.one(StatefulSet.class, "-citus-worker");
        assertThat(workers.getSpec().getReplicas()).isEqualTo(4);
        assertThat(workers.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getImage())
                .isEqualTo("citusdata/citus:13.2.0");

        Job register = chart.one(Job.class, "-citus-register");
        Job migrations = chart.one(Job.class, "-migrations");
        assertThat(register.getMetadata().getAnnotations()).containsEntry("helm.sh/hook", "post-install,post-upgrade");
        assertThat(migrations.getMetadata().getAnnotations())
                .as("the bundled cluster exists only after the install")
                .containsEntry("helm.sh/hook", "post-install,pre-upgrade");
        assertThat(weight(register)).isLessThan(weight(migrations));
        Container registers =
                register.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(env(registers, "WORKERS").split(" "))
                .containsExactly(
                        "demo-widgets-citus-worker-0.demo-widgets-citus-worker.shop.svc",
                        "demo-widgets-citus-worker-1.demo-widgets-citus-worker.shop.svc",
                        "demo-widgets-citus-worker-2.demo-widgets-citus-worker.shop.svc",
                        "demo-widgets-citus-worker-3.demo-widgets-citus-worker.shop.svc");
        assertThat(registers.getArgs().get(0)).contains("citus_add_node('$node', 5432)");

        Container api = apiContainer(chart);
        assertThat(env(api, "SPRING_DATASOURCE_URL")).isEqualTo("jdbc:postgresql://demo-widgets-citus:5432/widgets");
        assertThat(chart.one(Deployment.class, "-api")
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getInitContainers())
                .extracting(Container::getName)
                .containsExactly("wait-for-migrations");
    }

    @Test
    void theBundledPasswordIsGeneratedOnceAndItsHookCopyComesFirst() {
        Rendered chart = Rendered.with(BUNDLED);

        Secret secret = chart.one(Secret.class, "demo-widgets");
        Secret hook = chart.one(Secret.class, "demo-widgets-hook");
        assertThat(secret.getData().get("database-password")).hasSizeGreaterThan(20);
        assertThat(hook.getData())
                .containsExactly(Map.entry("database-password", secret.getData().get("database-password")));
        assertThat(Integer.parseInt(hook.getMetadata().getAnnotations().get("helm.sh/hook-weight")))
                .isLessThan(weight(chart.one(Job.class, "-citus-register")));
        Container migrate = migrationsContainer(chart);
        assertThat(secretRef(migrate, "SPRING_DATASOURCE_PASSWORD")).isEqualTo("demo-widgets-hook/database-password");
        Container coordinator = chart.one(StatefulSet.class, "-citus")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);
        assertThat(secretRef(coordinator, "POSTGRES_PASSWORD")).isEqualTo("demo-widgets/database-password");
    }

    @Test
    void theNotesSayWhereGraphiqlIsAndHowToReadTheFirstToken() {
        String notes = new Helm(Rendered.CHART)
                .install()
                .withName(Rendered.RELEASE)
                .withNamespace(Rendered.NAMESPACE)
                .withKubeVersion(Rendered.KUBERNETES)
                .clientOnly()
                .dryRun()
                .call()
                .getOutput();

        assertThat(notes)
                .contains("kubectl --namespace shop port-forward service/demo-widgets-api 8080:80")
                .contains("/graphiql")
                .contains("kubectl --namespace shop get secret demo-widgets \\")
                .contains("-o jsonpath='{.data.admin-token}' | base64 -d")
                .contains("create job --from=cronjob/demo-widgets-rewiring");
    }

    @Test
    void mistakesInTheValuesAreRefusedWithASentence() {
        assertThatThrownBy(() -> Rendered.with(null, "rewiring.cronJob.mode=sideways"))
                .hasMessageContaining("at '/rewiring/cronJob/mode': value must be one of 'apply', 'dry-run', 'atomic'");
        assertThatThrownBy(() -> Rendered.with(null, "citus.worker.count=3"))
                .as("a misspelt key is not silently ignored (values.schema.json)")
                .hasMessageContaining("additional properties 'worker' not allowed");
        assertThatThrownBy(() -> Rendered.with(null, "image.api.tag=latest"))
                .hasMessageContaining("pin a tag, not \"latest\"");
        assertThatThrownBy(() -> Rendered.with(null, "database.url=")).hasMessageContaining("database.url is required");
        assertThatThrownBy(
                        () -> Rendered.with(null, "serviceMonitor.enabled=true", "security.generateAdminToken=false"))
                .hasMessageContaining("/actuator/prometheus is admin-only");
    }

    private static String path(Probe probe) {
        assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http");
        return probe.getHttpGet().getPath();
    }

    private static String env(Container container, String name) {
        return find(container, name).map(EnvVar::getValue).orElse(null);
    }

    private static String secretRef(Container container, String name) {
        EnvVar env = find(container, name).orElseThrow();
        assertThat(env.getValue()).isNull();
        SecretKeySelector ref = env.getValueFrom().getSecretKeyRef();
        return ref.getName() + "/" + ref.getKey();
    }

    private static Optional<EnvVar> find(Container container, String name) {
        List<EnvVar> matches = container.getEnv().stream()
                .filter(e -> e.getName().equals(name))
                .toList();
        assertThat(matches).as("%s set at most once", name).hasSizeLessThan(2);
        return matches.stream().findFirst();
    }

    private static Map<String, String> mounts(Container container) {
        return container.getVolumeMounts().stream()
                .collect(java.util.stream.Collectors.toMap(m -> m.getMountPath(), m -> m.getName()));
    }

    private static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream()
                .filter(v -> v.getName().equals(name))
                .findFirst()
                .orElseThrow();
    }

    private static int weight(Job job) {
        return Integer.parseInt(job.getMetadata().getAnnotations().get("helm.sh/hook-weight"));
    }
}
