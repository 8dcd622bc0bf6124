package com.widgets.db.testing;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * The Citus test lane. Every Spring test context gets a fresh database on the cluster named by {@value
 * TestDatabases#CITUS_URL} instead of the embedded PostgreSQL (registered in {@code META-INF/spring.factories});
 * and a lane asked for with {@code -Pcitus} but no URL skips every test with a message saying what to set
 * (registered as an auto-detected JUnit extension by that profile).
 */
public final class CitusLane implements ContextCustomizerFactory, ExecutionCondition {

    private static final String NO_CLUSTER = "Citus lane skipped: no cluster given. Start one (../shared/citus/"
            + "cluster.sh init) and run ./mvnw verify -Pcitus -D" + TestDatabases.CITUS_URL
            + "=$(../shared/citus/cluster.sh url)";

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

    /** Points the context at a database of its own on the cluster; equal to any other, so contexts stay cached. */
    private static final class FreshDatabase implements ContextCustomizer {

        @Override
        public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
            String url = TestDatabases.freshCitusDatabase(config.getTestClass().getSimpleName());
            context.getEnvironment()
                    .getPropertySources()
                    .addFirst(new MapPropertySource(
                            "citusLane",
                            Map.of(
                                    "spring.datasource.url",
                                    url,
                                    // Every coordinator connection fans out to the workers; stay well inside
                                    // their max_connections when several test contexts are alive at once.
                                    "spring.datasource.hikari.maximum-pool-size",
                                    "20")));
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
