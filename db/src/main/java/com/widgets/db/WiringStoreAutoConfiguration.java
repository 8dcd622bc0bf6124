package com.widgets.db;

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

    @Bean
    @ConditionalOnMissingBean
    WiringStore wiringStore(JdbcTemplate jdbc, PlatformTransactionManager transactions) {
        return new WiringStore(jdbc, transactions);
    }
}
