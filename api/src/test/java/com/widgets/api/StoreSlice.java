package com.widgets.api;

import com.widgets.api.system.GraphQlSettings;
import com.widgets.db.WiringStoreAutoConfiguration;
import com.widgets.db.embedded.EmbeddedPostgresAutoConfiguration;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.liquibase.autoconfigure.LiquibaseAutoConfiguration;

/**
 * Adds the real wiring store on the shared embedded PostgreSQL, and the API's settings, to a {@code @GraphQlTest}
 * slice: no stand-ins.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ImportAutoConfiguration({
    EmbeddedPostgresAutoConfiguration.class,
    DataSourceAutoConfiguration.class,
    DataSourceTransactionManagerAutoConfiguration.class,
    JdbcTemplateAutoConfiguration.class,
    LiquibaseAutoConfiguration.class,
    WiringStoreAutoConfiguration.class
})
@EnableConfigurationProperties(GraphQlSettings.class)
public @interface StoreSlice {}
