package com.widgets.db.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Without a datasource URL the context starts the embedded server (early, while the context builds) and stops it
 * when the context closes, also when the context fails to start; with one, nothing is started. The pool keeps its
 * connections to the embedded server unless told otherwise.
 */
class EmbeddedPostgresAutoConfigurationTest {

    @TempDir
    Path dir;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(EmbeddedPostgresAutoConfiguration.class));

    @Test
    void startsNothingWhenADatasourceUrlIsSet() {
        runner.withPropertyValues("spring.datasource.url=jdbc:postgresql://db.example:5432/widgets")
                .run(context -> {
                    assertThat(context).doesNotHaveBean(EmbeddedPostgresServer.class);
                    assertThat(context).doesNotHaveBean(JdbcConnectionDetails.class);
                });
    }

    @Test
    void startsTheServerEarlyAndStopsItWithTheContext() {
        Path data = dir.resolve("pg");
        runner.withPropertyValues("widgets.embedded.data-dir=" + data, "widgets.embedded.durable=false")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    String url = context.getBean(JdbcConnectionDetails.class).getJdbcUrl();
                    try (Connection c = DriverManager.getConnection(url)) {
                        assertThat(c.isValid(5)).isTrue();
                    }
                    assertThat(data.resolve("postmaster.pid")).exists();
                });
        assertThat(data.resolve("postmaster.pid")).doesNotExist();
    }

    @Test
    void givesTheServerBackWhenTheContextFailsBeforeUsingIt() {
        Path data = dir.resolve("pg");
        runner.withPropertyValues("widgets.embedded.data-dir=" + data, "widgets.embedded.durable=false")
                .withBean("broken", String.class, () -> {
                    throw new IllegalStateException("a bean that cannot be made");
                })
                .run(context -> assertThat(context).hasFailed());
        assertThat(data.resolve("postmaster.pid")).doesNotExist();
    }

    @Test
    void thePoolKeepsItsConnectionsToTheEmbeddedServerUnlessALifetimeIsSet() {
        ApplicationContextRunner withPool = runner.withConfiguration(
                        AutoConfigurations.of(DataSourceAutoConfiguration.class))
                .withPropertyValues("widgets.embedded.data-dir=" + dir.resolve("pg"), "widgets.embedded.durable=false");
        withPool.run(
                context -> assertThat(context.getBean(HikariDataSource.class).getMaxLifetime())
                        .isZero());
        withPool.withPropertyValues("spring.datasource.hikari.max-lifetime=600000")
                .run(context -> assertThat(
                                context.getBean(HikariDataSource.class).getMaxLifetime())
                        .isEqualTo(600_000));
    }

    @Test
    void aPoolOnAnotherDatabaseKeepsHikarisLifetime() {
        runner.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
                .withPropertyValues("spring.datasource.url=jdbc:postgresql://db.example:5432/widgets")
                .run(context -> assertThat(
                                context.getBean(HikariDataSource.class).getMaxLifetime())
                        .isEqualTo(1_800_000));
    }
}
