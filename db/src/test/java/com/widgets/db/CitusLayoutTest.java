package com.widgets.db;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.widgets.db.testing.TestApplication;
import com.widgets.db.testing.TestDatabases;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/** The start-up check that the wiring tables really are sharded whenever the database has Citus. */
@SpringBootTest(classes = TestApplication.class)
class CitusLayoutTest {

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void theMigratedSchemaPassesOnEitherDatabase() {
        new CitusLayout(jdbc).verify();
    }

    @Test
    @EnabledIfSystemProperty(named = TestDatabases.CITUS_URL, matches = ".+", disabledReason = "needs a Citus cluster")
    void onlyOnCitusTheServiceRefusesToStartWhenAWiringTableIsNotDistributed() throws Exception {
        String url = TestDatabases.freshCitusDatabase("layout");
        start(url).close(); // migrates and distributes

        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            s.execute("SELECT undistribute_table('wiring_history')");
        }

        assertThatThrownBy(() -> start(url))
                .rootCause()
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("wiring_history is not distributed (a coordinator-local table)")
                .hasMessageContaining("create_distributed_table('wiring_history', 'serial_number', colocate_with");
    }

    private static ConfigurableApplicationContext start(String url) {
        SpringApplication app = new SpringApplication(TestApplication.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        return app.run(
                "--spring.datasource.url=" + url,
                "--spring.datasource.hikari.maximum-pool-size=2",
                "--spring.main.banner-mode=off");
    }
}
