package com.widgets.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.stream.Stream;

/**
 * The chart rendered by Helm itself ({@code helm template}) for one values file, hooks included, read back as typed
 * Kubernetes objects. A field the model does not know — a misspelt or misplaced key — fails the parse.
 *
 * <p>helm-java's template leaves hook resources out, so the chart is rendered from a copy whose {@code helm.sh/hook*}
 * annotations are renamed (Helm then renders them as plain resources) and renamed back on the parsed objects.
 */
final class Rendered {

    static final Path CHART = Path.of("widgets");
    static final String RELEASE = "demo";
    static final String NAMESPACE = "shop";
    /** The oldest Kubernetes the chart supports (Chart.yaml): CronJob's timeZone is GA there. */
    static final String KUBERNETES = "1.27.0";

    private static final YAMLMapper YAML = new YAMLMapper();
    private static final String HOOK = "helm.sh/hook";
    private static final String DISGUISED_HOOK = "widgets.test/helm-hook";
    private static final Path HOOKS_AS_PLAIN = hooksAsPlain();
    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "Deployment", Deployment.class,
            "StatefulSet", StatefulSet.class,
            "Service", Service.class,
            "Secret", Secret.class,
            "PersistentVolumeClaim", PersistentVolumeClaim.class,
            "Job", Job.class,
            "CronJob", CronJob.class,
            "HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
            "PodDisruptionBudget", PodDisruptionBudget.class,
            "Ingress", Ingress.class);
    /** Custom resources, whose schema the Kubernetes model does not hold. */
    private static final List<String> CUSTOM = List.of("ServiceMonitor");

    final List<HasMetadata> objects;

    private Rendered(List<HasMetadata> objects) {
        this.objects = objects;
    }

    /** Renders the chart with the given values file (null: the defaults) and further --set values. */
    static Rendered with(Path valuesFile, String... sets) {
        TemplateCommand template = new Helm(HOOKS_AS_PLAIN)
                .template()
                .withName(RELEASE)
                .withNamespace(NAMESPACE)
                .withKubeVersion(KUBERNETES);
        if (valuesFile != null) {
            template = template.withValuesFile(valuesFile);
        }
        for (String set : sets) {
            String[] pair = set.split("=", 2);
            template = template.set(pair[0], pair[1]);
        }
        return parse(template.call());
    }

    static Rendered parse(String manifests) {
        List<HasMetadata> objects = new ArrayList<>();
        try (var documents = YAML.readerFor(JsonNode.class).<JsonNode>readValues(manifests)) {
            while (documents.hasNext()) {
                JsonNode document = documents.next();
                if (document == null || document.isNull() || document.isEmpty()) {
                    continue;
                }
                objects.add(typed(document));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Rendered(objects);
    }

    private static HasMetadata typed(JsonNode document) {
        String kind = document.path("kind").asText();
        try {
            if (CUSTOM.contains(kind)) {
                return YAML.treeToValue(document, GenericKubernetesResource.class);
            }
            Class<? extends HasMetadata> type = KINDS.get(kind);
            assertThat(type).as("a kind this test knows: " + kind).isNotNull();
            HasMetadata object = YAML.treeToValue(document, type);
            Map<String, String> annotations = object.getMetadata().getAnnotations();
            if (annotations != null) {
                Map<String, String> restored = new java.util.LinkedHashMap<>();
                annotations.forEach((key, value) -> restored.put(key.replace(DISGUISED_HOOK, HOOK), value));
                object.getMetadata().setAnnotations(restored);
            }
            List<String> unknown = new ArrayList<>();
            unknownFields(object, kind + " " + object.getMetadata().getName(), unknown);
            assertThat(unknown).as("fields the Kubernetes model does not know").isEmpty();
            return object;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** fabric8's model keeps unknown keys in additionalProperties rather than failing: any there is a mistake. */
    private static void unknownFields(Object value, String path, List<String> unknown) {
        if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                unknownFields(list.get(i), path + "[" + i + "]", unknown);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((key, v) -> unknownFields(v, path + "[" + key + "]", unknown));
            return;
        }
        if (value == null || !value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0
                    || !getter.getName().startsWith("get")
                    || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object got;
            try {
                got = getter.invoke(value);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException(e);
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (got instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    unknown.add(path + ": " + extra.keySet());
                }
            } else {
                unknownFields(got, path + "." + getter.getName().substring(3), unknown);
            }
        }
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> T one(Class<T> type, String nameSuffix) {
        return all(type).stream()
                .filter(o -> o.getMetadata().getName().endsWith(nameSuffix))
                .findFirst()
                .orElseThrow(() -> new NoSuchElementException(type.getSimpleName() + " *" + nameSuffix));
    }

    boolean has(Class<? extends HasMetadata> type, String nameSuffix) {
        return all(type).stream().anyMatch(o -> o.getMetadata().getName().endsWith(nameSuffix));
    }

    List<GenericKubernetesResource> custom(String kind) {
        return objects.stream()
                .filter(o -> o instanceof GenericKubernetesResource && kind.equals(o.getKind()))
                .map(GenericKubernetesResource.class::cast)
                .toList();
    }

    /** Every pod spec: of Deployments, StatefulSets, Jobs and CronJobs, with where it came from. */
    Map<String, PodSpec> podSpecs() {
        Map<String, PodSpec> pods = new java.util.LinkedHashMap<>();
        all(Deployment.class)
                .forEach(d -> pods.put(name(d), d.getSpec().getTemplate().getSpec()));
        all(StatefulSet.class)
                .forEach(s -> pods.put(name(s), s.getSpec().getTemplate().getSpec()));
        all(Job.class).forEach(j -> pods.put(name(j), j.getSpec().getTemplate().getSpec()));
        all(CronJob.class)
                .forEach(c -> pods.put(
                        name(c),
                        c.getSpec().getJobTemplate().getSpec().getTemplate().getSpec()));
        return pods;
    }

    /** Every container and init container, named by pod and container. */
    Map<String, Container> containers() {
        Map<String, Container> containers = new java.util.LinkedHashMap<>();
        podSpecs()
                .forEach((pod, spec) -> Stream.concat(
                                spec.getContainers().stream(),
                                spec.getInitContainers() == null ? Stream.empty() : spec.getInitContainers().stream())
                        .forEach(c -> containers.put(pod + "/" + c.getName(), c)));
        return containers;
    }

    private static String name(HasMetadata object) {
        return object.getKind() + " " + object.getMetadata().getName();
    }

    /** A copy of the chart whose values.yaml is the defaults overlaid with a values file, for lint (no -f there). */
    static Path chartWithValues(Path valuesFile, Path into) throws IOException {
        copy(CHART, into);
        JsonNode values = YAML.readTree(CHART.resolve("values.yaml").toFile());
        overlay((ObjectNode) values, YAML.readTree(valuesFile.toFile()));
        YAML.writeValue(into.resolve("values.yaml").toFile(), values);
        return into;
    }

    private static Path hooksAsPlain() {
        try {
            Path copy = copy(CHART, Files.createTempDirectory("widgets-chart").resolve("widgets"));
            try (Stream<Path> templates = Files.list(copy.resolve("templates"))) {
                for (Path template : templates.toList()) {
                    Files.writeString(template, Files.readString(template).replace(HOOK, DISGUISED_HOOK));
                }
            }
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path copy(Path from, Path into) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path target = into.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
        return into;
    }

    /** Helm's merge of values: maps merge key by key, anything else is replaced. */
    private static void overlay(ObjectNode base, JsonNode over) {
        for (Iterator<Map.Entry<String, JsonNode>> it = over.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode existing = base.get(field.getKey());
            if (existing instanceof ObjectNode target && field.getValue().isObject()) {
                overlay(target, field.getValue());
            } else {
                base.set(field.getKey(), field.getValue());
            }
        }
    }

    static ObjectMapper yaml() {
        return YAML;
    }
}
