package com.widgets.db;

import static com.widgets.db.PortType.P;
import static com.widgets.db.PortType.Q;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Pruning history by age: old rows go, window by window; recent ones and the wiring itself stay. */
class HistoryPruneTest extends StoreTestSupport {

    private static final Origin ORIGIN = Origin.request("prune-test", "r-1");

    @Autowired
    DataSource dataSource;

    @Test
    void deletesOnlyRowsOlderThanTheCutoffWindowByWindowAndLeavesTheWiringAlone() {
        store.addWidget("PR-1", "one", Set.of(P), ORIGIN);
        store.addWidget("PR-2", "two", Set.of(Q), ORIGIN);
        store.link(new PortRef("PR-1", P), new PortRef("PR-2", Q), ORIGIN);
        store.unlink(new PortRef("PR-1", P), null, ORIGIN);
        store.link(new PortRef("PR-1", P), new PortRef("PR-2", Q), ORIGIN);
        // spread the first six rows over 100 days, from 200 down to 101 days ago; the last two stay recent
        Instant now = Instant.now();
        // (row by row with a computed time: Citus refuses now()-like functions beside columns in a multi-shard UPDATE)
        List<Map<String, Object>> rows =
                jdbc.queryForList("SELECT serial_number, id FROM wiring_history ORDER BY id LIMIT 6");
        for (int n = 0; n < rows.size(); n++) {
            jdbc.update(
                    "UPDATE wiring_history SET at = ? WHERE serial_number = ? AND id = ?",
                    java.sql.Timestamp.from(now.minus(200 - 20 * n, ChronoUnit.DAYS)),
                    rows.get(n).get("serial_number"),
                    rows.get(n).get("id"));
        }
        Map<String, String> wiring = db.snapshot();
        assertThat(count()).isEqualTo(8);

        long pruned = store.pruneHistory(now.minus(90, ChronoUnit.DAYS), Duration.ofDays(7));

        assertThat(pruned).isEqualTo(6);
        assertThat(count()).isEqualTo(2);
        assertThat(jdbc.queryForObject("SELECT min(at) FROM wiring_history", java.sql.Timestamp.class)
                        .toInstant())
                .isAfter(now.minus(1, ChronoUnit.DAYS));
        assertThat(db.snapshot()).isEqualTo(wiring);
        assertThat(store.history("PR-1", null, 10))
                .extracting(WiringEvent::type)
                .containsExactly(EventType.LINKED);
        assertThat(store.pruneHistory(now.minus(90, ChronoUnit.DAYS), Duration.ofDays(7)))
                .as("nothing left to prune")
                .isZero();
    }

    @Test
    void leavesThePruningToAnotherProcessThatHoldsTheLock() throws Exception {
        store.addWidget("PR-3", "three", Set.of(P), ORIGIN);
        jdbc.update(
                "UPDATE wiring_history SET at = ?",
                java.sql.Timestamp.from(Instant.now().minus(Duration.ofDays(400))));
        try (Connection other = dataSource.getConnection()) {
            other.setAutoCommit(false);
            try (PreparedStatement lock = other.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                lock.setLong(1, 0x7769_7269_6e67_4cL);
                lock.execute();
            }
            assertThat(store.pruneHistory(Instant.now().minus(Duration.ofDays(90)), Duration.ofDays(1)))
                    .isZero();
            assertThat(count()).isEqualTo(1);
            other.rollback();
        }
        assertThat(store.pruneHistory(Instant.now().minus(Duration.ofDays(90)), Duration.ofDays(1)))
                .isEqualTo(1);
    }

    @Test
    void refusesAWindowThatIsNotPositive() {
        assertThatThrownBy(() -> store.pruneHistory(Instant.now(), Duration.ZERO))
                .isInstanceOf(WiringException.class)
                .hasMessageContaining("window");
    }

    private int count() {
        return jdbc.queryForObject("SELECT count(*) FROM wiring_history", Integer.class);
    }
}
