package com.widgets.db.embedded;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Starts the embedded PostgreSQL and points Boot's DataSource at it when the user configured no database.
 *
 * <p>Exposing {@link JdbcConnectionDetails} (rather than a DataSource) keeps Boot's HikariCP set-up and its {@code
 * spring.datasource.hikari.*} settings, and Liquibase then migrates the embedded database like any other.
 */
@AutoConfiguration(before = DataSourceAutoConfiguration.class)
@Conditional(EmbeddedPostgresAutoConfiguration.NoDatasourceUrl.class)
public class EmbeddedPostgresAutoConfiguration {

    private static final String EARLY_START = "embeddedPostgresEarlyStart";

    /**
     * Takes over the server's start that began with the application's environment, or starts it now, while the rest
     * of the context is still being built (see {@link EarlyStart}): on a first run initdb and start-up take 2–3 s that
     * would otherwise come on top of the context's own start-up.
     */
    @Bean
    static BeanFactoryPostProcessor embeddedPostgresEarlyStarter(Environment environment) {
        return beanFactory -> {
            EarlyStart start = EarlyStart.takeOver(EmbeddedPostgresProperties.of(environment));
            beanFactory.registerSingleton(EARLY_START, start);
            if (beanFactory instanceof DefaultSingletonBeanRegistry registry) {
                registry.registerDisposableBean(EARLY_START, start);
            }
        };
    }

    @Bean(destroyMethod = "release")
    EmbeddedPostgresServer embeddedPostgresServer(@Qualifier(EARLY_START) EarlyStart start) {
        return start.take();
    }

    @Bean
    JdbcConnectionDetails embeddedPostgresConnectionDetails(EmbeddedPostgresServer server) {
        String url = server.jdbcUrl();
        return new JdbcConnectionDetails() {
            @Override
            public String getUsername() {
                return "postgres";
            }

            @Override
            public String getPassword() {
                return null;
            }

            @Override
            public String getJdbcUrl() {
                return url;
            }
        };
    }

    static class NoDatasourceUrl implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return applies(context.getEnvironment());
        }

        /** Whether the embedded server is the database: no {@code spring.datasource.url}. */
        static boolean applies(Environment environment) {
            String url = environment.getProperty("spring.datasource.url");
            return url == null || url.isBlank();
        }
    }
}
