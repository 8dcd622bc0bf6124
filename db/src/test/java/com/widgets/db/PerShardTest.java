package com.widgets.db;

import static com.widgets.db.PortType.P;
import static com.widgets.db.PortType.Q;
import static com.widgets.db.PortType.R;
import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.db.testing.TestDatabases;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.PreparedStatementCallback;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Statements over many serial numbers split into one statement per shard ({@link PerShard}). On any database the
 * split runs with four groups of a hash standing in for Citus's shards, and must judge, write and record exactly what
 * one statement does; on a Citus cluster the store splits by its real shards, on plain PostgreSQL it never splits.
 */
class PerShardTest extends StoreTestSupport {

    /** Four groups on any database; on Citus they cut across its shards, which still answers the same. */
    private static final String FOUR_GROUPS = "hashtext(s) & 3";

    @Autowired
    DataSource dataSource;

    @Autowired
    PlatformTransactionManager transactions;

    /** Every statement sent split, as its text: the statements of each group joined in one round trip. */
    private final Queue<String> split = new ConcurrentLinkedQueue<>();

    /** A store on the test database whose split statements are recorded, grouped by {@code perShard}. */
    private WiringStore recorded(Function<JdbcTemplate, PerShard> perShard) {
        JdbcTemplate recording = new JdbcTemplate(dataSource) {
            @Override
            public <T> T execute(String sql, PreparedStatementCallback<T> action) {
                if (sql.contains(";\n")) {
                    split.add(sql);
                }
                return super.execute(sql, action);
            }
        };
        return new WiringStore(recording, transactions, Attempts.DEFAULT_MAX_ATTEMPTS, perShard.apply(recording));
    }

    private WiringStore inFourGroups() {
        return recorded(jdbc -> new PerShard(jdbc, FOUR_GROUPS));
    }

    private static Origin line(long n) {
        return Origin.jobLine("tester", 9, n);
    }

    private static PortRef port(String serial, PortType type) {
        return new PortRef(serial, type);
    }

    /**
     * Three chunks over 80 widgets: their adds; links between free ports (written unread); then a mix that reads
     * whole widgets and ports, relinks, unlinks, removes and adds again, with refusals among the lines.
     */
    private static List<List<WiringOp>> chunks() {
        int widgets = 80;
        List<WiringOp> adds = new ArrayList<>();
        List<WiringOp> links = new ArrayList<>();
        List<WiringOp> mix = new ArrayList<>();
        long n = 1;
        for (int i = 0; i < widgets; i++) {
            adds.add(new WiringOp.AddWidget("S" + i, "widget " + i, EnumSet.allOf(PortType.class), line(n++)));
        }
        for (int i = 0; i < widgets; i += 2) {
            links.add(new WiringOp.LinkPorts(port("S" + i, P), port("S" + (i + 1), Q), line(n++)));
            links.add(new WiringOp.LinkPorts(port("S" + i, R), port("S" + (i + 1), R), line(n++)));
        }
        for (int i = 0; i < widgets; i += 4) {
            mix.add(new WiringOp.UnlinkPort(port("S" + i, P), null, line(n++)));
            mix.add(new WiringOp.LinkPorts(port("S" + i, P), port("S" + (i + 3), Q), line(n++))); // PORT_BUSY
            mix.add(new WiringOp.LinkPorts(port("S" + i, P), port("S" + (i + 2), P), line(n++)));
            mix.add(new WiringOp.RemoveWidget("S" + (i + 1), line(n++))); // frees S(i).R
            mix.add(new WiringOp.UnlinkPort(port("S" + (i + 2), R), port("S" + i, R), line(n++))); // NOT_LINKED_TO
            mix.add(new WiringOp.AddWidget("S" + (i + 1), "again " + i, EnumSet.of(P), line(n++)));
            mix.add(new WiringOp.LinkPorts(port("S" + (i + 1), P), port("S" + i, R), line(n++)));
            mix.add(new WiringOp.LinkPorts(port("NONE" + i, P), port("S" + i, Q), line(n++))); // WIDGET_NOT_FOUND
        }
        return List.of(adds, links, mix);
    }

    @Test
    void chunksSplitByShardAreJudgedWrittenAndRecordedAsInOneStatement() {
        List<OpOutcome> expected = new ArrayList<>();
        for (List<WiringOp> chunk : chunks()) {
            expected.addAll(recorded(PerShard::new).applyChunk(chunk));
        }
        Map<String, String> expectedState = db.snapshot();
        long expectedHistory = db.count("SELECT count(*) FROM wiring_history");
        assertThat(expected)
                .extracting(OpOutcome::code)
                .contains(ErrorCode.PORT_BUSY, ErrorCode.NOT_LINKED_TO, ErrorCode.WIDGET_NOT_FOUND);
        db.reset();
        split.clear();

        WiringStore inGroups = inFourGroups();
        List<OpOutcome> outcomes = new ArrayList<>();
        for (List<WiringOp> chunk : chunks()) {
            outcomes.addAll(inGroups.applyChunk(chunk));
        }

        assertThat(outcomes).isEqualTo(expected);
        assertThat(db.snapshot()).isEqualTo(expectedState);
        assertThat(db.replayHistory()).isEqualTo(expectedState);
        assertThat(db.invariantViolations()).isEmpty();
        assertThat(db.count("SELECT count(*) FROM wiring_history")).isEqualTo(expectedHistory);
        // the links' check-and-set, the mix's reads of ports and of whole widgets, its deletes: each split in four
        assertThat(split).anySatisfy(sql -> assertThat(sql).startsWith("UPDATE port"));
        assertThat(split).anySatisfy(sql -> assertThat(sql).startsWith("SELECT serial_number, port"));
        assertThat(split).anySatisfy(sql -> assertThat(sql).contains("FROM widget w JOIN port p"));
        assertThat(split).anySatisfy(sql -> assertThat(sql).startsWith("DELETE FROM port"));
        assertThat(split).anySatisfy(sql -> assertThat(sql).startsWith("DELETE FROM widget"));
        assertThat(split).allSatisfy(sql -> assertThat(sql.split(";\n")).hasSize(4));
    }

    @Test
    void widgetsReadSplitByShardAreTheWidgetsReadInOneStatement() {
        List<String> serials = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            store.addWidget("S" + i, "widget " + i, i % 2 == 0 ? Set.of(P, Q) : Set.of(R), line(i));
            serials.add("S" + i);
            serials.add("MISSING" + i);
        }
        store.link(port("S0", P), port("S1", R), line(100));

        Map<String, Widget> inGroups = inFourGroups().widgets(serials);

        assertThat(split).hasSize(1);
        assertThat(inGroups).hasSize(30).isEqualTo(store.widgets(serials));
        assertThat(inGroups.get("S0").ports()).extracting(Port::peer).contains(port("S1", R));
    }

    @Test
    void chunksSplitByShardAndSingleOperationsOnRealThreadsKeepTheInvariants() throws Exception {
        int widgets = 60;
        List<WiringOp> adds = new ArrayList<>();
        for (int i = 0; i < widgets; i++) {
            adds.add(new WiringOp.AddWidget("W" + i, "w" + i, EnumSet.allOf(PortType.class), line(i)));
        }
        store.applyChunk(adds);
        WiringStore inGroups = inFourGroups();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            running.add(threads.submit(() -> {
                for (int round = 0; round < 40; round++) {
                    List<WiringOp> chunk = new ArrayList<>();
                    for (int i = 0; i < 50; i++) {
                        chunk.add(randomOp(widgets, line(i)));
                    }
                    inGroups.applyChunk(chunk);
                }
                return null;
            }));
            running.add(threads.submit(() -> {
                for (int i = 0; i < 600; i++) {
                    single(randomOp(widgets, Origin.request("api", "r" + i)));
                }
                return null;
            }));
        }
        for (Future<?> f : running) {
            f.get();
        }
        threads.shutdown();
        assertThat(split).isNotEmpty();
        assertThat(db.invariantViolations()).isEmpty();
        assertThat(db.replayHistory()).isEqualTo(db.snapshot());
    }

    @Test
    void theStoreSplitsByShardOnCitusAndNeverOnPlainPostgresql() {
        WiringStore defaults = recorded(PerShard::new);
        for (List<WiringOp> chunk : chunks()) {
            defaults.applyChunk(chunk);
        }
        assertThat(split.isEmpty()).isEqualTo(!TestDatabases.onCitus());
    }
}
