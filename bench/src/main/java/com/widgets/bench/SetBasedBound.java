package com.widgets.bench;

import com.widgets.bench.data.MixPlan;
import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Phaser;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The raw bound of the rewiring job on a file: the same writes as set-based SQL, with none of the job's own work (no
 * read before writing, no simulation, no report, no bookkeeping). Links: 1,000 links a transaction, one check-and-set
 * {@code UPDATE … FROM unnest(…)} of both ends and their history rows by {@code INSERT … SELECT … FROM unnest(…)}; adds:
 * widgets, ports and history rows the same way. Two connections, each taking the lines whose first serial number hashes
 * to it, so their rows never meet (a valid link file names each port once). It writes to scratch tables shaped like
 * the real ones (same columns, constraints, indexes, fill factor; co-located on Citus), so the job's figures and the
 * data the later measurements use stay untouched: the link bound's port table is a copy of {@code port} with every
 * port free. On Citus its statements over many serial numbers go one per shard ({@link PerShardSql}), as the job's do.
 */
final class SetBasedBound {

    private static final Logger log = LoggerFactory.getLogger(SetBasedBound.class);
    private static final int PER_TRANSACTION = 1000, WRITERS = 2;
    /** Writers of the mix's bound: 2 as for the other files; -Dbench.mix.writers=1 shows what the second one adds. */
    private static final int MIX_WRITERS = Integer.getInteger("bench.mix.writers", WRITERS);

    /**
     * How many connections the mix's bound writes with: one on Citus, as the job writes each chunk there. Two
     * transactions' multi-shard writes to the same shards take Citus's shard locks in different orders: the local
     * cluster's run of 2026-12-02 ended the bound with "deadlock detected" on them within seconds.
     */
    static int mixWriters(boolean citus) {
        return citus ? 1 : MIX_WRITERS;
    }

    private static final String LINK = """
            UPDATE bench_port AS t SET peer_serial = v.ps, peer_port = v.pp, linked_at = ?
              FROM unnest(?::text[], ?::char[], ?::text[], ?::char[]) AS v(s, p, ps, pp)
             WHERE t.serial_number = v.s AND t.port = v.p AND t.peer_serial IS NULL
            """;
    /** {@link #LINK} or {@link #FREE} restricted to one shard's rows ({@link PerShardSql}). */
    private static final String ON_ONE_SHARD = " AND t.serial_number = ANY(?::text[])";

    private static final String LINK_HISTORY = """
            INSERT INTO bench_history (serial_number, event, port, peer_serial, peer_port, actor, job_id, line_number)
            SELECT s, 'LINKED', p, ps, pp, 'bench', 0, n
              FROM unnest(?::text[], ?::char[], ?::text[], ?::char[], ?::bigint[]) AS v(s, p, ps, pp, n)
            """;
    /**
     * Without {@code ON CONFLICT}, as the job's insert ({@code ChunkWrites}): the file's serial numbers are new, and a
     * batch that added fewer than its lines fails anyway. On Citus an {@code INSERT … SELECT … ON CONFLICT} goes
     * through intermediate results on a connection per shard whatever the pool size: 0.8–0.9 s a batch of 1,000 on the
     * local cluster against 0.12 s without, which had made this bound ~7 times slower than its SQL needs to be.
     */
    private static final String ADD_WIDGETS = """
            INSERT INTO bench_widget (serial_number, name)
            SELECT s, n FROM unnest(?::text[], ?::text[]) AS v(s, n)
            """;

    private static final String ADD_PORTS = """
            INSERT INTO bench_port (serial_number, port)
            SELECT s, p FROM unnest(?::text[], ?::char[]) AS v(s, p)
            """;
    private static final String ADD_HISTORY = """
            INSERT INTO bench_history (serial_number, event, name, ports, actor, job_id, line_number)
            SELECT s, 'ADDED', n, ps, 'bench', 0, l FROM unnest(?::text[], ?::text[], ?::text[], ?::bigint[]) AS v(s, n, ps, l)
            """;

    /** Ends a link as the job does: only if the row still holds the peer the line (or the read) names. */
    private static final String FREE = """
            UPDATE bench_port AS t SET peer_serial = NULL, peer_port = NULL, linked_at = NULL
              FROM unnest(?::text[], ?::char[], ?::text[], ?::char[]) AS v(s, p, ps, pp)
             WHERE t.serial_number = v.s AND t.port = v.p AND t.peer_serial = v.ps AND t.peer_port = v.pp
            """;

    private static final String LINKED_PORTS_OF = """
            SELECT serial_number, port, peer_serial, peer_port FROM bench_port
             WHERE serial_number = ANY(?::text[]) AND peer_serial IS NOT NULL
            """;
    private static final String REMOVE_PORTS = "DELETE FROM bench_port WHERE serial_number = ANY(?::text[])";
    private static final String REMOVE_WIDGETS = """
            DELETE FROM bench_widget WHERE serial_number = ANY(?::text[]) RETURNING serial_number, name
            """;
    private static final String INSERT_WIDGETS = """
            INSERT INTO bench_widget (serial_number, name) SELECT s, n FROM unnest(?::text[], ?::text[]) AS v(s, n)
            """;
    private static final String MIX_HISTORY = """
            INSERT INTO bench_history (serial_number, event, port, peer_serial, peer_port, name, ports, actor, job_id,
                                       line_number)
            SELECT s, e, p, ps, pp, n, pr, 'bench', 0, l
              FROM unnest(?::text[], ?::text[], ?::char[], ?::text[], ?::char[], ?::text[], ?::text[], ?::bigint[])
                   AS v(s, e, p, ps, pp, n, pr, l)
            """;

    private SetBasedBound() {}

    /**
     * A bound's lines per second, and what the machine's cores did meanwhile (null off Linux).
     *
     * @param cpu from the writers' start to their end
     */
    record Rate(double perSecond, MachineCpu.Usage cpu) {}

    /**
     * Links per second of the link file's links written set-based on a copy of {@code port} with every port free, next
     * to a copy of {@code wiring_history} (rows and indexes), so its history rows go into an index as big as the job's.
     */
    static Rate links(DataSource db, boolean citus, Path file) throws Exception {
        return onScratchTables(
                db,
                s -> {
                    s.execute("CREATE TABLE bench_port (LIKE port INCLUDING ALL) WITH (fillfactor = 80)");
                    historyTable(s);
                    if (citus) {
                        s.execute("SELECT create_distributed_table('bench_port', 'serial_number',"
                                + " colocate_with => 'port')");
                        s.execute("SELECT create_distributed_table('bench_history', 'serial_number',"
                                + " colocate_with => 'port')");
                    }
                    s.execute("INSERT INTO bench_port (serial_number, port) SELECT serial_number, port FROM port");
                    copyHistory(s, citus);
                    settle(s, "bench_port", "bench_history");
                    prewarm(s, citus, "bench_history", "bench_port");
                },
                () -> run(db, file, citus, SetBasedBound::linkBatch));
    }

    /** Widgets per second of the widget file's adds written set-based into empty tables shaped like the real ones. */
    static Rate adds(DataSource db, boolean citus, Path file) throws Exception {
        return onScratchTables(
                db,
                s -> {
                    widgetTables(s, citus);
                    historyIndexes(s, Map.of());
                    settle(s);
                },
                () -> run(db, file, citus, SetBasedBound::addBatch));
    }

    /**
     * Lines per second of the rewiring mix written set-based into copies of {@code widget} and {@code port} as they
     * are before the job runs the mix (call it first). Batches of 1,000 lines per writer, each written in {@link
     * MixPlan#layers dependency layers}: a layer's lines touch no common row, so its lines of each writer (by the
     * first serial number's hash, as for the other files) go as one transaction of set-based statements, the writers
     * side by side; all finish a layer before any starts the next. Rejected lines write nothing and are skipped (the
     * plan knows them; the job's count of rejects is checked against the same plan). Nothing is read but the linked
     * ports of removed widgets, to end their links — the read the job makes for them too. The scratch tables stay for
     * {@link #mixDifferences} until {@link #dropScratch}.
     */
    static Rate mix(DataSource db, boolean citus, Path file, MixPlan plan) throws Exception {
        try (Connection c = db.getConnection();
                Statement s = c.createStatement()) {
            drop(s);
            widgetTables(s, citus);
            s.execute("INSERT INTO bench_widget SELECT * FROM widget");
            s.execute("INSERT INTO bench_port SELECT * FROM port");
            copyHistory(s, citus);
            settle(s, "bench_widget", "bench_port", "bench_history");
            prewarm(s, citus, "bench_history", "bench_widget", "bench_port");
        }
        return runMix(db, file, citus, plan);
    }

    /**
     * After {@link #mix} and the job on the same file: the widget and port rows on which the bound's copies and the
     * real tables differ (name; peer), which is none when both made the same writes.
     */
    static long mixDifferences(DataSource db) throws SQLException {
        try (Connection c = db.getConnection();
                Statement s = c.createStatement()) {
            long differences = 0;
            for (String sql : List.of("""
                    SELECT count(*) FROM widget w FULL JOIN bench_widget b ON b.serial_number = w.serial_number
                     WHERE w.serial_number IS NULL OR b.serial_number IS NULL OR w.name <> b.name
                    """, """
                    SELECT count(*) FROM port p FULL JOIN bench_port b
                        ON b.serial_number = p.serial_number AND b.port = p.port
                     WHERE p.serial_number IS NULL OR b.serial_number IS NULL
                        OR p.peer_serial IS DISTINCT FROM b.peer_serial OR p.peer_port IS DISTINCT FROM b.peer_port
                    """)) {
                try (ResultSet rows = s.executeQuery(sql)) {
                    rows.next();
                    differences += rows.getLong(1);
                }
            }
            return differences;
        }
    }

    /** Drops the scratch tables {@link #mix} left for {@link #mixDifferences}. */
    static void dropScratch(DataSource db) throws SQLException {
        try (Connection c = db.getConnection();
                Statement s = c.createStatement()) {
            drop(s);
        }
    }

    private static Rate runMix(DataSource db, Path file, boolean citus, MixPlan plan) throws Exception {
        int count = mixWriters(citus);
        log.info("Writing {} set-based on the copies, {} writers", file.getFileName(), count);
        ExecutorService pool = Executors.newFixedThreadPool(count);
        // Not a CyclicBarrier: its reset() while the other writer is still in a statement leaves that writer waiting
        // for good at its next await (the Citus run of 2026-12-02 hung so); a terminated phaser releases it for good.
        Phaser layerDone = new Phaser(count);
        try {
            List<Future<Long>> writers = new ArrayList<>();
            MachineCpu cpu = MachineCpu.now();
            long t0 = System.nanoTime();
            for (int w = 0; w < count; w++) {
                int writer = w;
                writers.add(pool.submit(() -> {
                    try {
                        return writeMix(db, file, citus, writer, count, plan, layerDone);
                    } catch (Exception | Error e) {
                        layerDone.forceTermination(); // the other writer stops waiting for this one
                        throw e;
                    }
                }));
            }
            long lines = 0;
            ExecutionException first = null;
            for (Future<Long> f : writers) {
                try {
                    lines = Math.max(lines, f.get()); // each writer counts every line of the file
                } catch (ExecutionException e) {
                    // the writer that failed first has the cause; the other one only stopped for it
                    if (first == null || first.getCause() instanceof OtherWriterFailed) {
                        first = e;
                    }
                }
            }
            if (first != null) {
                throw first;
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            log.info("Set-based bound on {}: {} lines in {} s", file.getFileName(), lines, seconds);
            return new Rate(lines / seconds, MachineCpu.since(cpu, lines));
        } finally {
            pool.shutdownNow();
        }
    }

    /** One writer's share of the mix, layer by layer; returns the data lines of the file (its share or not). */
    private static long writeMix(
            DataSource db, Path file, boolean citus, int writer, int count, MixPlan plan, Phaser layerDone)
            throws Exception {
        int batchLines = count * PER_TRANSACTION;
        int line = 0;
        try (Connection c = writerConnection(db, citus);
                BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            in.readLine(); // header
            List<String[]> batch = new ArrayList<>(batchLines);
            for (String text = in.readLine(); ; text = in.readLine()) {
                if (text != null) {
                    batch.add(text.split(",", -1));
                }
                if (batch.size() == batchLines || (text == null && !batch.isEmpty())) {
                    int first = line;
                    line += batch.size();
                    int[] layers = plan.layers(first, line);
                    int deepest = Arrays.stream(layers).max().orElse(-1);
                    for (int layer = 0; layer <= deepest; layer++) {
                        List<String[]> mine = new ArrayList<>();
                        List<Long> numbers = new ArrayList<>();
                        for (int i = 0; i < layers.length; i++) {
                            String[] f = batch.get(i);
                            if (layers[i] == layer && Math.floorMod(f[1].hashCode(), count) == writer) {
                                mine.add(f);
                                numbers.add(first + i + 2L); // the header is line 1
                            }
                        }
                        if (!mine.isEmpty()) {
                            mixBatch(c, citus, mine, numbers);
                            c.commit();
                        }
                        layerDone.arriveAndAwaitAdvance();
                        if (layerDone.isTerminated()) {
                            throw new OtherWriterFailed();
                        }
                    }
                    batch.clear();
                }
                if (text == null) {
                    break;
                }
            }
            resetWriter(c, citus);
        }
        return line;
    }

    /** A writer of the mix's bound stopped because the other one failed (whose exception tells why). */
    private static final class OtherWriterFailed extends RuntimeException {
        OtherWriterFailed() {
            super("the other writer of the mix's bound failed", null, false, false);
        }
    }

    /** The history rows of one transaction, written by one statement. */
    private static final class HistoryRows {
        final List<String> s = new ArrayList<>(), e = new ArrayList<>(), p = new ArrayList<>(), ps = new ArrayList<>();
        final List<String> pp = new ArrayList<>(), n = new ArrayList<>(), pr = new ArrayList<>();
        final List<Long> l = new ArrayList<>();

        void add(
                String serial,
                String event,
                String port,
                String peer,
                String peerPort,
                String name,
                String ports,
                long line) {
            s.add(serial);
            e.add(event);
            p.add(port);
            ps.add(peer);
            pp.add(peerPort);
            n.add(name);
            pr.add(ports);
            l.add(line);
        }

        /** Both ends of a link made or ended. */
        void link(String event, String serial, String port, String peer, String peerPort, long line) {
            add(serial, event, port, peer, peerPort, null, null, line);
            add(peer, event, peerPort, serial, port, null, null, line);
        }
    }

    /** Port rows to set or free: serial number, port, and the peer to set or to find there. */
    private static final class PortRows {
        final List<String> s = new ArrayList<>(), p = new ArrayList<>(), ps = new ArrayList<>(), pp = new ArrayList<>();

        /** Both ends. */
        void link(String serial, String port, String peer, String peerPort) {
            end(serial, port, peer, peerPort);
            end(peer, peerPort, serial, port);
        }

        void end(String serial, String port, String peer, String peerPort) {
            s.add(serial);
            p.add(port);
            ps.add(peer);
            pp.add(peerPort);
        }

        int size() {
            return s.size();
        }
    }

    /**
     * One transaction's lines of one layer (none touches a row another touches): removed widgets' links ended, then
     * unlinks, removes, links and adds as set-based statements, and all their history rows by one statement.
     */
    private static void mixBatch(Connection c, boolean citus, List<String[]> lines, List<Long> numbers)
            throws SQLException {
        PerShardSql perShard = new PerShardSql(c, citus);
        PortRows free = new PortRows(), link = new PortRows(), newPorts = new PortRows();
        HistoryRows history = new HistoryRows();
        List<String> added = new ArrayList<>(), names = new ArrayList<>();
        Map<String, Long> removedOn = new HashMap<>(); // removed widget → its line
        for (int i = 0; i < lines.size(); i++) {
            String[] f = lines.get(i);
            long line = numbers.get(i);
            switch (f[0]) {
                case "unlink" -> {
                    free.link(f[1], f[2], f[3], f[4]);
                    history.link("UNLINKED", f[1], f[2], f[3], f[4], line);
                }
                case "link" -> {
                    link.link(f[1], f[2], f[3], f[4]);
                    history.link("LINKED", f[1], f[2], f[3], f[4], line);
                }
                case "add" -> {
                    added.add(f[1]);
                    names.add(f[5]);
                    for (char port : f[6].toCharArray()) {
                        newPorts.end(f[1], String.valueOf(port), null, null);
                    }
                    history.add(f[1], "ADDED", null, null, null, f[5], f[6], line);
                }
                case "remove" -> removedOn.put(f[1], line);
                default -> throw new IllegalStateException("no such op in the mix: " + f[0]);
            }
        }
        String[] removed = removedOn.keySet().toArray(String[]::new);
        if (removed.length > 0) {
            perShard.query(
                    LINKED_PORTS_OF,
                    removed,
                    rows -> {
                        String serial = rows.getString(1), port = rows.getString(2);
                        String peer = rows.getString(3), peerPort = rows.getString(4);
                        if (removedOn.containsKey(peer) && peer.compareTo(serial) < 0) {
                            return; // two removed widgets linked to each other: their link ends once
                        }
                        free.link(serial, port, peer, peerPort);
                        history.link("UNLINKED", serial, port, peer, peerPort, removedOn.get(serial));
                    },
                    (Object) removed);
        }
        if (free.size() > 0) {
            expect("freed ports", free.size(), update(perShard, FREE, null, free));
        }
        if (removed.length > 0) {
            perShard.update(REMOVE_PORTS, null, removed, (Object) removed);
            int[] gone = {0};
            perShard.query(
                    REMOVE_WIDGETS,
                    removed,
                    rows -> {
                        gone[0]++;
                        history.add(
                                rows.getString(1),
                                "REMOVED",
                                null,
                                null,
                                null,
                                rows.getString(2),
                                null,
                                removedOn.get(rows.getString(1)));
                    },
                    (Object) removed);
            expect("removed widgets", removedOn.size(), gone[0]);
        }
        if (link.size() > 0) {
            expect("linked ports", link.size(), update(perShard, LINK, Timestamp.from(Instant.now()), link));
        }
        if (!added.isEmpty()) {
            try (PreparedStatement widgets = c.prepareStatement(INSERT_WIDGETS);
                    PreparedStatement ports = c.prepareStatement(ADD_PORTS)) {
                widgets.setArray(1, c.createArrayOf("text", added.toArray()));
                widgets.setArray(2, c.createArrayOf("text", names.toArray()));
                expect("added widgets", added.size(), widgets.executeUpdate());
                ports.setArray(1, c.createArrayOf("text", newPorts.s.toArray()));
                ports.setArray(2, c.createArrayOf("text", newPorts.p.toArray()));
                ports.executeUpdate();
            }
        }
        try (PreparedStatement insert = c.prepareStatement(MIX_HISTORY)) {
            insert.setArray(1, c.createArrayOf("text", history.s.toArray()));
            insert.setArray(2, c.createArrayOf("text", history.e.toArray()));
            insert.setArray(3, c.createArrayOf("text", history.p.toArray()));
            insert.setArray(4, c.createArrayOf("text", history.ps.toArray()));
            insert.setArray(5, c.createArrayOf("text", history.pp.toArray()));
            insert.setArray(6, c.createArrayOf("text", history.n.toArray()));
            insert.setArray(7, c.createArrayOf("text", history.pr.toArray()));
            insert.setArray(8, c.createArrayOf("bigint", history.l.toArray()));
            insert.executeUpdate();
        }
    }

    /** Runs a check-and-set over {@code rows} (the link time first when {@code now} is given); rows it changed. */
    private static int update(PerShardSql perShard, String sql, Timestamp now, PortRows rows) throws SQLException {
        String[] s = rows.s.toArray(String[]::new), p = rows.p.toArray(String[]::new);
        String[] ps = rows.ps.toArray(String[]::new), pp = rows.pp.toArray(String[]::new);
        return now == null
                ? perShard.update(sql, sql + ON_ONE_SHARD, s, s, p, ps, pp)
                : perShard.update(sql, sql + ON_ONE_SHARD, s, now, s, p, ps, pp);
    }

    private static void expect(String what, int expected, int actual) {
        if (actual != expected) {
            throw new IllegalStateException(
                    "the mix's set-based bound went wrong: " + actual + " " + what + ", " + expected + " expected");
        }
    }

    /** Creates the scratch tables, writes the file into them, and drops them again whatever happens. */
    private interface Setup {
        void create(Statement s) throws SQLException;
    }

    /** What runs on the scratch tables: the bound. */
    private interface Body {
        Rate run() throws Exception;
    }

    private static Rate onScratchTables(DataSource db, Setup setup, Body body) throws Exception {
        try (Connection c = db.getConnection();
                Statement s = c.createStatement()) {
            drop(s);
            setup.create(s);
        }
        try {
            return body.run();
        } finally {
            try (Connection c = db.getConnection();
                    Statement s = c.createStatement()) {
                drop(s);
            }
        }
    }

    /** Empty scratch widget, port and history tables shaped like the real ones, co-located on Citus. */
    private static void widgetTables(Statement s, boolean citus) throws SQLException {
        s.execute("CREATE TABLE bench_widget (LIKE widget INCLUDING ALL)");
        s.execute("CREATE TABLE bench_port (LIKE port INCLUDING ALL) WITH (fillfactor = 80)");
        s.execute("ALTER TABLE bench_port ADD FOREIGN KEY (serial_number) REFERENCES bench_widget ON DELETE CASCADE");
        historyTable(s);
        if (citus) {
            for (String table : List.of("bench_widget", "bench_port", "bench_history")) {
                s.execute("SELECT create_distributed_table('" + table + "', 'serial_number',"
                        + " colocate_with => 'widget')");
            }
        }
    }

    /** The scratch history table without its indexes (see {@link #historyIndexes}), ids from its own sequence. */
    private static void historyTable(Statement s) throws SQLException {
        s.execute("CREATE SEQUENCE bench_history_seq");
        s.execute("CREATE TABLE bench_history (LIKE wiring_history INCLUDING CONSTRAINTS)");
        s.execute("ALTER TABLE bench_history ALTER COLUMN id SET DEFAULT nextval('bench_history_seq'),"
                + " ALTER COLUMN at SET DEFAULT now()");
    }

    /**
     * The indexes {@code wiring_history} has (read from the catalog, so a migration's new index reaches the bound),
     * built on the scratch history table under names with {@code bench_history} for {@code wiring_history}. With
     * {@code densities} (index name to leaf density in per cent) each is built with that fill factor.
     */
    private static void historyIndexes(Statement s, Map<String, Integer> densities) throws SQLException {
        Map<String, String> definitions = new LinkedHashMap<>();
        try (ResultSet rows = s.executeQuery("""
                SELECT indexname, replace(indexdef, 'wiring_history', 'bench_history') FROM pg_indexes
                 WHERE schemaname = current_schema() AND tablename = 'wiring_history' ORDER BY indexname
                """)) {
            while (rows.next()) {
                definitions.put(rows.getString(1), rows.getString(2));
            }
        }
        for (Map.Entry<String, String> index : definitions.entrySet()) {
            Integer density = densities.get(index.getKey());
            String definition = index.getValue();
            if (density != null && !definition.contains(" WITH (")) {
                definition += " WITH (fillfactor = " + Math.max(10, Math.min(100, density)) + ")";
            }
            s.execute(definition);
        }
    }

    /**
     * Fills the scratch history table with {@code wiring_history}'s rows, then builds its indexes and moves its
     * sequence past the copied ids: the bound's history rows then land in indexes as big as those the job's rows land
     * in (at 10M widgets, a primary key of 30M entries written at random places), not in an empty table's. An index
     * built at once packs its leaves to 90 %, where one grown row by row as the job's leaves about 30 % free — room for
     * the next rows that a packed copy would make by splitting pages on the bound's time; so each copy is built with
     * its original's leaf density, measured by {@code pgstatindex} (not on Citus, nor where the extension cannot be
     * created: there the copies are packed, a bound on the slow side, and the log says so).
     */
    private static void copyHistory(Statement s, boolean citus) throws SQLException {
        Map<String, Integer> densities = citus ? Map.of() : leafDensities(s);
        s.execute("INSERT INTO bench_history SELECT * FROM wiring_history");
        historyIndexes(s, densities);
        s.execute("SELECT setval('bench_history_seq', greatest(1, (SELECT max(id) FROM bench_history)))");
    }

    /** Leaf density in per cent of each B-tree index of {@code wiring_history}; empty where it cannot be measured. */
    private static Map<String, Integer> leafDensities(Statement s) {
        Map<String, Integer> densities = new HashMap<>();
        try {
            s.execute("CREATE EXTENSION IF NOT EXISTS pgstattuple");
            try (ResultSet rows = s.executeQuery("""
                    SELECT i.indexrelid::regclass::text, round((pgstatindex(i.indexrelid::regclass)).avg_leaf_density)
                      FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
                     WHERE i.indrelid = 'wiring_history'::regclass AND a.amname = 'btree'
                    """)) {
                while (rows.next()) {
                    int density = rows.getInt(2);
                    if (density > 0) { // NaN on an index with no leaf rows yet
                        densities.put(rows.getString(1), density);
                    }
                }
            }
        } catch (SQLException e) {
            log.info("History copies built packed: their originals' leaf density is unknown ({})", e.getMessage());
            return Map.of();
        }
        log.info("History copies built with their originals' leaf density: {}", densities);
        return densities;
    }

    private static void drop(Statement s) throws SQLException {
        s.execute("DROP TABLE IF EXISTS bench_history, bench_port, bench_widget");
        s.execute("DROP SEQUENCE IF EXISTS bench_history_seq");
    }

    /**
     * Settles the wiring tables as the bounds' copies are settled — VACUUM ANALYZE, a checkpoint, then {@link #prewarm}
     * — so the job meets them in the state its bound meets its copies; returns the seconds it took.
     */
    static double settleWiring(DataSource db, boolean citus) throws SQLException {
        long t0 = System.nanoTime();
        try (Connection c = db.getConnection();
                Statement s = c.createStatement()) {
            settle(s, "widget", "port", "wiring_history");
            prewarm(s, citus, "wiring_history", "widget", "port");
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /**
     * Statistics for the planner, then a checkpoint, so the copy's writes are not flushed on the bound's time (the job
     * too starts its file some while after the data it rewires was written).
     */
    private static void settle(Statement s, String... tables) throws SQLException {
        for (String table : tables) {
            s.execute("VACUUM ANALYZE " + table);
        }
        try {
            s.execute("CHECKPOINT");
        } catch (SQLException e) {
            log.info("No CHECKPOINT before the bound: {}", e.getMessage());
        }
    }

    /**
     * Reads the relations the rewiring writes at random places into shared buffers, in this order: the history
     * table's primary key (its heap and other indexes are only appended to), then each wiring table and its indexes.
     * The bound and the job each get this just before they start, so each meets its own tables in memory as far as
     * the pool holds them — without it the job met tables that the bound's copies, made just before, had pushed out
     * of the pool and partly out of the OS cache. Not on Citus (the coordinator holds no rows) and not where the
     * extension cannot be created; both logged.
     */
    private static void prewarm(Statement s, boolean citus, String history, String... tables) throws SQLException {
        if (citus) {
            log.info("No pg_prewarm on Citus: the shards' pages are on the workers");
            return;
        }
        try {
            s.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm");
        } catch (SQLException e) {
            log.info("No pg_prewarm before the bound or the job: {}", e.getMessage());
            return;
        }
        List<String> relations = new ArrayList<>();
        relations.add(history + "_pkey");
        for (String table : tables) {
            relations.add(table);
            try (ResultSet rows = s.executeQuery("SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = '"
                    + table + "'::regclass ORDER BY indexrelid")) {
                while (rows.next()) {
                    relations.add(rows.getString(1));
                }
            }
        }
        long t0 = System.nanoTime(), pages = 0;
        for (String relation : relations) {
            try (ResultSet rows = s.executeQuery("SELECT pg_prewarm('" + relation + "'::regclass)")) {
                rows.next();
                pages += rows.getLong(1);
            }
        }
        log.info("pg_prewarm: {} pages of {} in {} ms", pages, relations, (System.nanoTime() - t0) / 1_000_000);
    }

    /** Writes one transaction's worth of lines (fields of each CSV line, and its line number). */
    private interface Batch {
        void write(Connection c, boolean citus, List<String[]> lines, List<Long> numbers) throws SQLException;
    }

    /**
     * Two writers over the file ({@link #writerConnection}), each its share of the lines; returns lines per second over
     * both.
     */
    private static Rate run(DataSource db, Path file, boolean citus, Batch batch) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        try {
            List<Future<Long>> writers = new ArrayList<>();
            MachineCpu cpu = MachineCpu.now();
            long t0 = System.nanoTime();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                writers.add(pool.submit(() -> write(db, file, citus, writer, batch)));
            }
            long lines = 0;
            for (Future<Long> f : writers) {
                lines += f.get();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            log.info("Set-based bound on {}: {} lines in {} s", file.getFileName(), lines, seconds);
            return new Rate(lines / seconds, MachineCpu.since(cpu, lines));
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * A writer's connection, not in autocommit; on Citus its transactions use one connection per worker, as the job's
     * chunks do ({@code ChunkWrites}): without it every multi-shard write opens a connection per shard, and the bound
     * would measure connection set-up.
     */
    private static Connection writerConnection(DataSource db, boolean citus) throws SQLException {
        Connection c = db.getConnection();
        try {
            if (citus) {
                try (Statement s = c.createStatement()) {
                    s.execute("SET citus.max_adaptive_executor_pool_size = 1");
                }
            }
            c.setAutoCommit(false);
            return c;
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Undoes {@link #writerConnection}'s setting: the pooled connection goes on to other measurements. */
    private static void resetWriter(Connection c, boolean citus) throws SQLException {
        if (citus) {
            try (Statement s = c.createStatement()) {
                s.execute("RESET citus.max_adaptive_executor_pool_size");
            }
            c.commit();
        }
    }

    private static long write(DataSource db, Path file, boolean citus, int writer, Batch batch) throws Exception {
        long written = 0, number = 1;
        try (Connection c = writerConnection(db, citus);
                BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            in.readLine(); // header
            List<String[]> lines = new ArrayList<>(PER_TRANSACTION);
            List<Long> numbers = new ArrayList<>(PER_TRANSACTION);
            for (String line; (line = in.readLine()) != null; ) {
                number++;
                String[] f = line.split(",", -1);
                if (Math.floorMod(f[1].hashCode(), WRITERS) != writer) {
                    continue;
                }
                lines.add(f);
                numbers.add(number);
                if (lines.size() == PER_TRANSACTION) {
                    batch.write(c, citus, lines, numbers);
                    c.commit();
                    written += lines.size();
                    lines.clear();
                    numbers.clear();
                }
            }
            if (!lines.isEmpty()) {
                batch.write(c, citus, lines, numbers);
                c.commit();
                written += lines.size();
            }
            resetWriter(c, citus);
        }
        return written;
    }

    /** {@code link,a,P,b,Q}: both ends set if both are free, and a history row for each. */
    private static void linkBatch(Connection c, boolean citus, List<String[]> lines, List<Long> numbers)
            throws SQLException {
        int n = lines.size() * 2;
        String[] s = new String[n], p = new String[n], ps = new String[n], pp = new String[n];
        Long[] line = new Long[n];
        for (int i = 0; i < lines.size(); i++) {
            String[] f = lines.get(i);
            s[2 * i] = f[1];
            p[2 * i] = f[2];
            ps[2 * i] = f[3];
            pp[2 * i] = f[4];
            s[2 * i + 1] = f[3];
            p[2 * i + 1] = f[4];
            ps[2 * i + 1] = f[1];
            pp[2 * i + 1] = f[2];
            line[2 * i] = line[2 * i + 1] = numbers.get(i);
        }
        try (PreparedStatement history = c.prepareStatement(LINK_HISTORY)) {
            int updated = new PerShardSql(c, citus)
                    .update(LINK, LINK + ON_ONE_SHARD, s, Timestamp.from(Instant.now()), s, p, ps, pp);
            if (updated != n) {
                throw new IllegalStateException("check-and-set matched " + updated + " of " + n + " port rows");
            }
            history.setArray(1, c.createArrayOf("text", s));
            history.setArray(2, c.createArrayOf("text", p));
            history.setArray(3, c.createArrayOf("text", ps));
            history.setArray(4, c.createArrayOf("text", pp));
            history.setArray(5, c.createArrayOf("bigint", line));
            history.executeUpdate();
        }
    }

    /** {@code add,s,name,PRQ}: the widget if new, a free row per port, and its history row. */
    private static void addBatch(Connection c, boolean citus, List<String[]> lines, List<Long> numbers)
            throws SQLException {
        int n = lines.size();
        String[] s = new String[n], names = new String[n], ports = new String[n];
        List<String> ps = new ArrayList<>(3 * n), pp = new ArrayList<>(3 * n);
        for (int i = 0; i < n; i++) {
            String[] f = lines.get(i);
            s[i] = f[1];
            names[i] = f[2];
            ports[i] = f[3];
            for (char port : f[3].toCharArray()) {
                ps.add(f[1]);
                pp.add(String.valueOf(port));
            }
        }
        try (PreparedStatement widgets = c.prepareStatement(ADD_WIDGETS);
                PreparedStatement portRows = c.prepareStatement(ADD_PORTS);
                PreparedStatement history = c.prepareStatement(ADD_HISTORY)) {
            widgets.setArray(1, c.createArrayOf("text", s));
            widgets.setArray(2, c.createArrayOf("text", names));
            int added = widgets.executeUpdate();
            if (added != n) {
                throw new IllegalStateException("added " + added + " of " + n + " widgets");
            }
            portRows.setArray(1, c.createArrayOf("text", ps.toArray()));
            portRows.setArray(2, c.createArrayOf("text", pp.toArray()));
            portRows.executeUpdate();
            history.setArray(1, c.createArrayOf("text", s));
            history.setArray(2, c.createArrayOf("text", names));
            history.setArray(3, c.createArrayOf("text", ports));
            history.setArray(4, c.createArrayOf("bigint", numbers.toArray()));
            history.executeUpdate();
        }
    }
}
