package com.widgets.db;

import com.zaxxer.hikari.HikariDataSource;
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

    /** Hikari is Boot's default pool; a pool configured with its own override keeps it. */
    @Bean
    static BeanPostProcessor keepRefusedConnections() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessBeforeInitialization(Object bean, String name) {
                if (bean instanceof HikariDataSource pool
                        && pool.getExceptionOverride() == null
                        && pool.getExceptionOverrideClassName() == null) {
                    pool.setExceptionOverride(new KeepRefusedConnections());
                }
                return bean;
            }
        };
    }

    /** Runs after the migrations (a JdbcTemplate user waits for Liquibase), before anything can write wiring. */
    @Bean
    CitusLayout citusLayout(JdbcTemplate jdbc) {
        CitusLayout layout = new CitusLayout(jdbc);
        layout.verify();
        return layout;
    }

    @Bean
    @ConditionalOnMissingBean
    WiringStore wiringStore(JdbcTemplate jdbc, PlatformTransactionManager transactions, CitusLayout verified) {
        return new WiringStore(jdbc, transactions);
    }
}
