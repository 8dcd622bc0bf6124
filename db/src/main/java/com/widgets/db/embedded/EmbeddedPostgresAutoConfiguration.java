package com.widgets.db.embedded;

import com.zaxxer.hikari.HikariDataSource;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
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

    /** Hikari's setting that retires a connection after a time in use (30 minutes unless set). */
    static final String MAX_LIFETIME = "spring.datasource.hikari.max-lifetime";

    /**
     * The pool keeps its connections to the embedded server for as long as the service runs, unless {@value
     * #MAX_LIFETIME} is set. Hikari retires connections after 30 minutes by default, for networks and proxies that cut
     * old ones off; a server on the same machine has none, and each new connection is a new server process that takes
     * a page fault on every page of the shared buffers it touches first. With the embedded default's shared buffers
     * (a quarter of the memory) and 10M widgets, a new connection answered the widget query at half the rate of one
     * long in use for its first minutes (bench/PROFILE.md, 2026-12-06, third session).
     */
    @Bean
    static BeanPostProcessor embeddedPoolKeepsItsConnections(Environment environment) {
        boolean set = Binder.get(environment)
                .bind(MAX_LIFETIME, Bindable.of(String.class))
                .isBound();
        return new BeanPostProcessor() {
            @Override
            public Object postProcessBeforeInitialization(Object bean, String name) {
                if (bean instanceof HikariDataSource pool && !set) {
                    pool.setMaxLifetime(0);
                }
                return bean;
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
