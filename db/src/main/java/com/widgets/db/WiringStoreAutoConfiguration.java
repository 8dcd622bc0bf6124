package com.widgets.db;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.SQLException;
import liquibase.Liquibase;
import liquibase.database.jvm.JdbcConnection;
import liquibase.integration.spring.Customizer;
import liquibase.integration.spring.SpringLiquibase;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.liquibase.autoconfigure.LiquibaseAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;

/** Makes the {@link WiringStore} available to the API and the rewiring job. */
@AutoConfiguration(
        after = {
            JdbcTemplateAutoConfiguration.class,
            DataSourceTransactionManagerAutoConfiguration.class,
            LiquibaseAutoConfiguration.class
        })
public class WiringStoreAutoConfiguration {

    /**
     * Hikari is Boot's default pool: it keeps connections the server refused a statement on (a pool configured with its
     * own override keeps that), and gets the {@link SocketTimeouts} default unless it was given a limit; migrations
     * lift that limit on their connection, as a changeset on a big table may take minutes. Migrations also send
     * nothing to Liquibase's servers unless asked to ({@link #ANALYTICS}).
     */
    @Bean
    static BeanPostProcessor poolDefaults() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessBeforeInitialization(Object bean, String name) {
                if (bean instanceof HikariDataSource pool) {
                    if (pool.getExceptionOverride() == null && pool.getExceptionOverrideClassName() == null) {
                        pool.setExceptionOverride(new KeepRefusedConnections());
                    }
                    SocketTimeouts.setDefault(pool);
                } else if (bean instanceof SpringLiquibase migrations) {
                    if (migrations.getAnalyticsEnabled() == null && !analyticsChosen()) {
                        migrations.setAnalyticsEnabled(false);
                    }
                    Customizer<Liquibase> theirs = migrations.getCustomizer();
                    migrations.setCustomizer(liquibase -> {
                        if (liquibase.getDatabase().getConnection() instanceof JdbcConnection connection) {
                            try {
                                SocketTimeouts.lift(connection.getUnderlyingConnection());
                            } catch (SQLException e) {
                                throw new IllegalStateException("Could not lift the migrations' socket timeout", e);
                            }
                        }
                        if (theirs != null) {
                            theirs.customize(liquibase);
                        }
                    });
                }
                return bean;
            }
        };
    }

    /**
     * Liquibase's own name for whether it sends usage data. Left alone, Liquibase fetches its analytics settings from
     * {@code config.liquibase.com} at every start, waiting up to 1.5 s where a firewall drops the request, and may then
     * report each migration run there: a wiring service inside a factory's network calls no one but its database. Off
     * unless {@code spring.liquibase.analytics-enabled} or Liquibase's own setting says otherwise.
     */
    static final String ANALYTICS = "liquibase.analytics.enabled";

    /** Whether Liquibase's own setting was given, as a system property or in the environment. */
    private static boolean analyticsChosen() {
        return System.getProperty(ANALYTICS) != null || System.getenv("LIQUIBASE_ANALYTICS_ENABLED") != null;
    }

    /**
     * Runs after the migrations (a JdbcTemplate user waits for Liquibase), before anything can write wiring; says
     * whether the database is a Citus coordinator.
     */
    @Bean
    VerifiedLayout citusLayout(JdbcTemplate jdbc) {
        return new VerifiedLayout(new CitusLayout(jdbc).verify());
    }

    /** The database's layout, verified at start-up. */
    record VerifiedLayout(boolean citus) {}

    /** The store, told at start whether to split statements by shard (no look-up on its first request). */
    @Bean
    @ConditionalOnMissingBean
    WiringStore wiringStore(JdbcTemplate jdbc, PlatformTransactionManager transactions, VerifiedLayout layout) {
        return new WiringStore(jdbc, transactions, Attempts.DEFAULT_MAX_ATTEMPTS, PerShard.known(jdbc, layout.citus()));
    }
}
