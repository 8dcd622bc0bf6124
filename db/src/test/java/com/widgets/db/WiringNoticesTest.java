package com.widgets.db;

import static com.widgets.db.PortType.P;
import static com.widgets.db.PortType.Q;
import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.db.testing.TestApplication;
import com.widgets.db.testing.WiringDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

/** Listeners on another connection hear every committed change once, and nothing of a refused one. */
@SpringBootTest(classes = TestApplication.class)
class WiringNoticesTest {

    private static final Origin ME = Origin.request("tester", "req-9");

    @Autowired
    WiringStore store;

    @Autowired
    DataSource dataSource;

    @Autowired
    JdbcTemplate jdbc;

    @BeforeEach
    void emptyDatabase() {
        new WiringDatabase(jdbc).reset();
    }

    @Test
    void everyCommittedChangeIsAnnouncedWithItsHistoryRow() throws Exception {
        try (Connection listener = dataSource.getConnection()) {
            try (Statement s = listener.createStatement()) {
                s.execute("LISTEN " + WiringNotices.CHANNEL);
            }
            store.addWidget("A", "a", Set.of(P), ME);
            store.addWidget("B", "b", Set.of(Q), ME);
            store.link(new PortRef("A", P), new PortRef("B", Q), ME);
            store.link(new PortRef("A", P), new PortRef("B", Q), ME); // no-op: no notice
            try {
                store.addWidget("A", "other", Set.of(P), ME); // refused: no notice
            } catch (WiringException expected) {
                // the refusal itself is tested elsewhere
            }
            store.removeWidget("B", ME);

            List<WiringEvent> heard = new ArrayList<>();
            PGConnection pg = listener.unwrap(PGConnection.class);
            long deadline = System.currentTimeMillis() + 5000;
            while (heard.size() < 7 && System.currentTimeMillis() < deadline) {
                PGNotification[] notices = pg.getNotifications(500);
                if (notices != null) {
                    for (PGNotification n : notices) {
                        heard.addAll(WiringNotices.decode(n.getParameter()));
                    }
                }
            }

            assertThat(heard)
                    .extracting(e -> e.type() + " " + e.serialNumber())
                    .containsExactly(
                            "ADDED A", "ADDED B", "LINKED A", "LINKED B", "UNLINKED A", "UNLINKED B", "REMOVED B");
            List<WiringEvent> stored = new ArrayList<>(store.history("A", null, 10));
            stored.addAll(store.history("B", null, 10));
            assertThat(heard).containsExactlyInAnyOrderElementsOf(stored);
            assertThat(pg.getNotifications(200)).isNullOrEmpty();
        }
    }
}
