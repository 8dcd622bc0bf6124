package com.widgets.db;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import com.zaxxer.hikari.HikariDataSource;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import liquibase.analytics.configuration.LiquibaseRemoteAnalyticsConfiguration;
import liquibase.integration.spring.SpringLiquibase;
import liquibase.util.Cache;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Migrations call no one but the database. Left to itself, Liquibase fetches its analytics settings from its vendor's
 * server at every run (and may then report the run there); a server on this machine stands in for that endpoint and
 * counts who asks.
 */
class MigrationsCallNoOneTest extends StoreTestSupport {

    /** Liquibase's (hidden) setting for where it fetches its analytics settings from. */
    private static final String ENDPOINT = "liquibase.analytics.configEndpointUrl";

    @Autowired
    HikariDataSource pool;

    @Autowired
    SpringLiquibase contextMigrations;

    private HttpServer endpoint;
    private final AtomicInteger asked = new AtomicInteger();
    private String previous;

    @BeforeEach
    void standInEndpoint() throws Exception {
        endpoint = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        endpoint.createContext("/", exchange -> {
            asked.incrementAndGet();
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        endpoint.start();
        previous = System.setProperty(
                ENDPOINT, "http://127.0.0.1:" + endpoint.getAddress().getPort() + "/analytics.yaml");
    }

    @AfterEach
    void stopEndpoint() {
        restore(ENDPOINT, previous);
        endpoint.stop(0);
    }

    @Test
    void migrationsAskLiquibasesServerNothingUnlessTheUserSaysSo() throws Exception {
        assertThat(contextMigrations.getAnalyticsEnabled())
                .as("the service's own migrations")
                .isFalse();

        migrate(null);
        assertThat(asked).as("migrations with the service's defaults").hasValue(0);

        migrate(true); // spring.liquibase.analytics-enabled=true
        assertThat(asked.get())
                .as("told to, Liquibase asks the stand-in: the zero above is not a missed request")
                .isPositive();
    }

    @Test
    void liquibasesOwnSettingIsLeftToLiquibase() throws Exception {
        String before = System.setProperty(WiringStoreAutoConfiguration.ANALYTICS, "true");
        try {
            migrate(null);
        } finally {
            restore(WiringStoreAutoConfiguration.ANALYTICS, before);
        }
        assertThat(asked.get()).as("-Dliquibase.analytics.enabled=true").isPositive();
    }

    /** The service's change log, already applied, run again as the service's context would run it. */
    private void migrate(Boolean analytics) throws Exception {
        forgetEndpointsAnswer();
        SpringLiquibase migrations = new SpringLiquibase();
        migrations.setDataSource(pool);
        migrations.setChangeLog("classpath:db/changelog/db.changelog-master.yaml");
        migrations.setAnalyticsEnabled(analytics);
        WiringStoreAutoConfiguration.poolDefaults().postProcessBeforeInitialization(migrations, "migrations");
        migrations.afterPropertiesSet();
    }

    private static void restore(String property, String value) {
        if (value == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, value);
        }
    }

    /**
     * Liquibase keeps the endpoint's answer (or failure) for an hour in a static cache: an earlier run in this JVM
     * would hide whether this one asks.
     */
    private static void forgetEndpointsAnswer() throws ReflectiveOperationException {
        Field cached = LiquibaseRemoteAnalyticsConfiguration.class.getDeclaredField("remoteAnalyticsConfiguration");
        cached.setAccessible(true);
        ((Cache<?>) cached.get(null)).clearCache();
    }
}
