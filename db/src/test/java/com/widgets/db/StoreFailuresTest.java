package com.widgets.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.widgets.db.testing.TestApplication;
import com.widgets.db.testing.WiringDatabase;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The refusals that are not the caller's fault: a database that is down, a pool with no connection free, and a lock
 * that is never released (each write gives way after its lock wait and tries again, then gives up).
 */
@SpringBootTest(classes = TestApplication.class)
class StoreFailuresTest {

    private static final Origin ME = Origin.request("tester", "req");

    @Autowired
    DataSource dataSource;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void anUnreachableDatabaseIsReportedAsUnavailableWithoutSqlDetails() {
        DriverManagerDataSource nowhere = new DriverManagerDataSource("jdbc:postgresql://localhost:1/none");
        WiringStore store = new WiringStore(new JdbcTemplate(nowhere), new DataSourceTransactionManager(nowhere));

        assertThatThrownBy(() -> store.addWidget("A", "a", Set.of(PortType.P), ME))
                .isInstanceOfSatisfying(
                        WiringException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE))
                .hasMessage("The wiring database is unavailable; please try again.");
        assertThatThrownBy(() -> store.widget("A"))
                .isInstanceOfSatisfying(
                        WiringException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
        assertThatThrownBy(() -> store.widgets(List.of("A")))
                .isInstanceOfSatisfying(
                        WiringException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
        assertThatThrownBy(() -> store.pruneHistory(Instant.now(), Duration.ofDays(1)))
                .as("pruning, which opens a transaction")
                .isInstanceOfSatisfying(
                        WiringException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
    }

    @Test
    void aPoolWhoseConnectionsAreAllInUseAnswersBusyAfterItsWaitNotUnavailable() throws Exception {
        HikariConfig config = new HikariConfig();
        config.setDataSource(dataSource);
        config.setMaximumPoolSize(1);
        config.setConnectionTimeout(250);
        try (HikariDataSource pool = new HikariDataSource(config);
                Connection taken = pool.getConnection()) {
            WiringStore store = new WiringStore(new JdbcTemplate(pool), new DataSourceTransactionManager(pool));
            long start = System.nanoTime();

            assertThatThrownBy(() -> store.addWidget("BUSY-1", "b", Set.of(PortType.P), ME))
                    .isInstanceOfSatisfying(
                            WiringException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BUSY))
                    .hasMessage("The service is busy: no database connection came free in time; please retry in a"
                            + " moment.");
            assertThatThrownBy(() -> store.widget("BUSY-1"))
                    .isInstanceOfSatisfying(
                            WiringException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BUSY));
            assertThat(System.nanoTime() - start).as("two waits of 250 ms").isLessThan(5_000_000_000L);
            taken.close();
            assertThat(store.widget("BUSY-1")).as("nothing half-written").isEmpty();
        }
    }

    @Test
    void aLinkAndAnUnlinkBlockedByAStuckLockGiveUpWithContentionAndChangeNothing() throws Exception {
        WiringDatabase db = new WiringDatabase(jdbc);
        db.reset();
        WiringStore store = new WiringStore(jdbc, new DataSourceTransactionManager(dataSource), 3);
        store.addWidget("A", "a", Set.of(PortType.P, PortType.R), ME);
        store.addWidget("B", "b", Set.of(PortType.Q, PortType.R), ME);
        store.link(new PortRef("A", PortType.R), new PortRef("B", PortType.R), ME);
        Map<String, String> before = db.snapshot();
        long events = db.count("SELECT count(*) FROM wiring_history");

        try (Connection holder = dataSource.getConnection()) {
            try (Statement s = holder.createStatement()) {
                // without their lock wait the writes below would wait for this holder: the server ends it after 20 s,
                // and they would then succeed where the test expects them to give up
                s.execute("SET idle_in_transaction_session_timeout = '20s'");
                holder.setAutoCommit(false);
                s.execute("SELECT * FROM port WHERE serial_number = 'B' FOR UPDATE");
            }

            assertThatThrownBy(() -> store.link(new PortRef("A", PortType.P), new PortRef("B", PortType.Q), ME))
                    .isInstanceOfSatisfying(
                            WiringException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONTENTION));
            assertThatThrownBy(() -> store.unlink(new PortRef("A", PortType.R), null, ME))
                    .isInstanceOfSatisfying(
                            WiringException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONTENTION));
            holder.rollback();
        }

        assertThat(db.snapshot()).as("no end written alone").isEqualTo(before);
        assertThat(db.count("SELECT count(*) FROM wiring_history")).isEqualTo(events);
        assertThat(store.link(new PortRef("A", PortType.P), new PortRef("B", PortType.Q), ME)
                        .changed())
                .isTrue();
        assertThat(store.unlink(new PortRef("A", PortType.R), null, ME).changed())
                .isTrue();
        assertThat(db.invariantViolations()).isEmpty();
    }

    @Test
    void aRemovalBlockedByAStuckLockGivesUpWithContentionAndChangesNothing() throws Exception {
        WiringDatabase db = new WiringDatabase(jdbc);
        db.reset();
        WiringStore store = new WiringStore(jdbc, new DataSourceTransactionManager(dataSource), 3);
        store.addWidget("A", "a", Set.of(PortType.P), ME);
        store.addWidget("B", "b", Set.of(PortType.Q), ME);
        store.link(new PortRef("A", PortType.P), new PortRef("B", PortType.Q), ME);

        try (Connection holder = dataSource.getConnection()) {
            holder.setAutoCommit(false);
            try (Statement s = holder.createStatement()) {
                s.execute("SELECT * FROM port WHERE serial_number = 'A' FOR UPDATE");
            }

            assertThatThrownBy(() -> store.removeWidget("B", ME))
                    .isInstanceOfSatisfying(
                            WiringException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONTENTION))
                    .hasMessageContaining("'B'");
            holder.rollback();
        }

        assertThat(store.widget("B")).isPresent();
        assertThat(store.widget("A")
                        .orElseThrow()
                        .port(PortType.P)
                        .orElseThrow()
                        .peer())
                .isEqualTo(new PortRef("B", PortType.Q));
        assertThat(store.removeWidget("B", ME).changed()).isTrue();
        assertThat(db.invariantViolations()).isEmpty();
    }
}
