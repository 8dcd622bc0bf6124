package com.widgets.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import liquibase.integration.spring.SpringLiquibase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * A statement whose answer does not come ends after the pool's socket timeout as {@code UNAVAILABLE}, instead of
 * holding its caller and its connection for as long as the socket lives; the work allowed to take longer — migrations
 * and history pruning — is not cut short by it. A lock held by another session stands in for a database that stopped
 * answering (the connection sees the same silence); the fault drills freeze the server itself.
 */
class SocketTimeoutsTest extends StoreTestSupport {

    private static final Origin ME = Origin.request("tester", "socket-timeouts");

    @Autowired
    HikariDataSource servicePool;

    /** A pool as the service configures one, with a socket timeout of one second. */
    private HikariDataSource oneSecond;

    @BeforeEach
    void oneSecondPool() {
        oneSecond = new HikariDataSource();
        oneSecond.setJdbcUrl(servicePool.getJdbcUrl());
        oneSecond.setUsername(servicePool.getUsername());
        oneSecond.setPassword(servicePool.getPassword());
        oneSecond.setMaximumPoolSize(2);
        oneSecond.addDataSourceProperty(SocketTimeouts.PROPERTY, "1");
        WiringStoreAutoConfiguration.poolDefaults().postProcessBeforeInitialization(oneSecond, "oneSecond");
    }

    @AfterEach
    void closePool() {
        oneSecond.close();
    }

    @Test
    void theServicesPoolWaitsThirtySecondsForAnAnswerUnlessConfiguredOtherwise() throws Exception {
        try (Connection connection = servicePool.getConnection()) {
            assertThat(connection.getNetworkTimeout()).isEqualTo(SocketTimeouts.DEFAULT_SECONDS * 1000);
        }
        try (Connection connection = oneSecond.getConnection()) {
            assertThat(connection.getNetworkTimeout())
                    .as("a configured limit is kept")
                    .isEqualTo(1000);
        }
    }

    @Test
    void aStatementWhoseAnswerDoesNotComeIsUnavailableAfterTheTimeoutAndThePoolServesOn() throws Exception {
        store.addWidget("ST-1", "one", Set.of(PortType.P), ME);
        WiringStore impatient =
                new WiringStore(new JdbcTemplate(oneSecond), new DataSourceTransactionManager(oneSecond));
        assertThat(impatient.widget("ST-1")).isPresent();

        try (Connection holder = holdTable("port", "ACCESS EXCLUSIVE")) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> impatient.widget("ST-1"))
                    .isInstanceOfSatisfying(
                            WiringException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE))
                    .hasMessage("The wiring database is unavailable; please try again.");
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("about the one second of the timeout")
                    .isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
            holder.rollback();
        }

        assertThat(impatient.widget("ST-1")).as("a fresh connection answers").isPresent();
    }

    @Test
    void migrationsMayTakeLongerThanTheTimeout() throws Exception {
        SpringLiquibase migrations = new SpringLiquibase();
        migrations.setDataSource(oneSecond);
        migrations.setChangeLog("classpath:db/slow-migration.sql");
        migrations.setDatabaseChangeLogTable("slow_migration_log");
        migrations.setDatabaseChangeLogLockTable("slow_migration_lock");
        WiringStoreAutoConfiguration.poolDefaults().postProcessBeforeInitialization(migrations, "migrations");
        try {
            migrations.afterPropertiesSet(); // a changeset of 2.5 s on a pool that waits 1 s for an answer

            assertThat(jdbc.queryForObject("SELECT count(*) FROM slow_migration_log", Long.class))
                    .isEqualTo(1);
            try (Connection connection = oneSecond.getConnection()) {
                assertThat(connection.getNetworkTimeout())
                        .as("the pool's limit back once the migrations returned their connection")
                        .isEqualTo(1000);
            }
        } finally {
            jdbc.execute("DROP TABLE IF EXISTS slow_migration_log, slow_migration_lock");
        }
    }

    @Test
    void pruningMayWaitLongerThanTheTimeout() throws Exception {
        store.addWidget("ST-2", "two", Set.of(PortType.Q), ME);
        jdbc.update(
                "UPDATE wiring_history SET at = ?", Timestamp.from(Instant.now().minus(Duration.ofDays(400))));
        WiringStore pruner = new WiringStore(new JdbcTemplate(oneSecond), new DataSourceTransactionManager(oneSecond));

        try (Connection holder = holdTable("wiring_history", "EXCLUSIVE")) {
            CompletableFuture<Void> release = CompletableFuture.runAsync(
                    () -> {
                        try {
                            holder.rollback();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    },
                    CompletableFuture.delayedExecutor(2500, TimeUnit.MILLISECONDS));

            long pruned = pruner.pruneHistory(Instant.now().minus(Duration.ofDays(90)), Duration.ofDays(1));

            release.get(10, TimeUnit.SECONDS);
            assertThat(pruned)
                    .as("waited 2.5 s for the lock on a pool that waits 1 s for an answer")
                    .isEqualTo(1);
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM wiring_history", Long.class))
                .isZero();
    }

    /** A session of the service's pool holding {@code table} in {@code mode} until it rolls back. */
    private Connection holdTable(String table, String mode) throws Exception {
        Connection holder = servicePool.getConnection();
        try (Statement s = holder.createStatement()) {
            // a failed test must not leave the table locked for the tests after it
            s.execute("SET idle_in_transaction_session_timeout = '20s'");
            holder.setAutoCommit(false);
            s.execute("LOCK TABLE " + table + " IN " + mode + " MODE");
        }
        return holder;
    }
}
