package com.widgets.db.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** With a datasource URL configured, nothing is started: the service uses that server (PostgreSQL or Citus). */
class EmbeddedPostgresAutoConfigurationTest {

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
}
