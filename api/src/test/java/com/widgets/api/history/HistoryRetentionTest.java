package com.widgets.api.history;

import static com.widgets.db.PortType.P;
import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.api.ApiTest;
import com.widgets.db.Origin;
import com.widgets.db.WiringStore;
import com.widgets.db.testing.WiringDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/** The service keeps all history unless told otherwise; with a retention it prunes what is older. */
@ApiTest
class HistoryRetentionTest {

    @Autowired
    WiringStore store;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    HistorySettings settings;

    @Autowired
    HistoryRetention configured;

    @BeforeEach
    void emptyDatabase() {
        new WiringDatabase(jdbc).reset();
        store.addWidget("HR-OLD", "old", Set.of(P), Origin.request("retention-test", "r-1"));
        jdbc.update(
                "UPDATE wiring_history SET at = ?",
                java.sql.Timestamp.from(Instant.now().minus(java.time.Duration.ofDays(100))));
        store.addWidget("HR-NEW", "new", Set.of(P), Origin.request("retention-test", "r-2"));
    }

    @Test
    void byDefaultEverythingIsKept() {
        assertThat(settings.retention()).isZero();

        assertThat(configured.prune(Instant.now())).isZero();
        assertThat(serialsInHistory()).isEqualTo(2);
    }

    @Test
    void withARetentionOlderHistoryIsPrunedAndTheWidgetsStay() {
        HistoryRetention ninetyDays =
                new HistoryRetention(store, new HistorySettings(Duration.ofDays(90), Duration.ofHours(1)));
        assertThat(ninetyDays.prune(Instant.now())).isEqualTo(1);

        assertThat(store.history("HR-OLD", null, 10)).isEmpty();
        assertThat(store.history("HR-NEW", null, 10)).hasSize(1);
        assertThat(store.widget("HR-OLD")).isPresent();
    }

    private int serialsInHistory() {
        return jdbc.queryForObject("SELECT count(DISTINCT serial_number) FROM wiring_history", Integer.class);
    }
}
