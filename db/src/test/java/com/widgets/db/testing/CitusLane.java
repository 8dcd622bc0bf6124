package com.widgets.db.testing;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * The Citus test lane. Every Spring test context gets a fresh database on the cluster named by {@value
 * TestDatabases#CITUS_URL} instead of the embedded PostgreSQL (registered in {@code META-INF/spring.factories}); and a
 * lane asked for with {@code -Pcitus} but no URL skips every test with a message saying what to set (registered as an
 * auto-detected JUnit extension by that profile).
 *
 * <p>A Spring Boot test context gets its database as soon as its environment is ready ({@link EarlyDatabase}), before
 * the embedded server's early start looks for a {@code spring.datasource.url}; a context customizer runs too late for
 * that, and each context began an embedded server it never used. The customizer stays for contexts that are not Spring
 * Boot applications, and does nothing where the listener has been first.
 */
public final class CitusLane implements ContextCustomizerFactory, ExecutionCondition {

    private static final String NO_CLUSTER = "Citus lane skipped: no cluster given. Start one (../shared/citus/"
            + "cluster.sh init) and run ./mvnw verify -Pcitus -D" + TestDatabases.CITUS_URL
            + "=$(../shared/citus/cluster.sh url)";
    /** The property source the lane adds to a context's environment. */
    private static final String PROPERTY_SOURCE = "citusLane";

    @Override
    public ContextCustomizer createContextCustomizer(
            Class<?> testClass, List<ContextConfigurationAttributes> configAttributes) {
        return TestDatabases.onCitus() ? new FreshDatabase() : null;
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return TestDatabases.citusLaneWithoutCluster()
                ? ConditionEvaluationResult.disabled(NO_CLUSTER)
                : ConditionEvaluationResult.enabled("database available");
    }

    /** Points {@code environment} at a database of its own on the cluster, unless it already has one from the lane. */
    private static void useFreshDatabase(ConfigurableEnvironment environment, String label) {
        if (environment.getPropertySources().contains(PROPERTY_SOURCE)) {
            return;
        }
        environment
                .getPropertySources()
                .addFirst(new MapPropertySource(
                        PROPERTY_SOURCE,
                        Map.of(
                                "spring.datasource.url",
                                TestDatabases.freshCitusDatabase(label),
                                // Every coordinator connection fans out to the workers; stay well inside their
                                // max_connections when several test contexts are alive at once.
                                "spring.datasource.hikari.maximum-pool-size",
                                "20")));
    }

    /**
     * On the lane, gives a Spring Boot application without a {@code spring.datasource.url} of its own — a test
     * context — its database once its configuration is read, before {@code EnvironmentReadyStart} (ordered last)
     * would begin an embedded server for it. Applications a test starts with a URL keep theirs.
     */
    public static final class EarlyDatabase
            implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {

        @Override
        public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
            ConfigurableEnvironment environment = event.getEnvironment();
            if (TestDatabases.onCitus() && !environment.containsProperty("spring.datasource.url")) {
                // Spring Boot's test context loader makes the test class the application's main class
                Class<?> main = event.getSpringApplication().getMainApplicationClass();
                useFreshDatabase(environment, main == null ? "context" : main.getSimpleName());
            }
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE - 1;
        }
    }

    /** Points the context at a database of its own on the cluster; equal to any other, so contexts stay cached. */
    private static final class FreshDatabase implements ContextCustomizer {

        @Override
        public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
            useFreshDatabase(context.getEnvironment(), config.getTestClass().getSimpleName());
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof FreshDatabase;
        }

        @Override
        public int hashCode() {
            return FreshDatabase.class.hashCode();
        }
    }
}
