package com.widgets.bench;

import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
 * port free.
 */
final class SetBasedBound {

    private static final Logger log = LoggerFactory.getLogger(SetBasedBound.class);
    private static final int PER_TRANSACTION = 1000, WRITERS = 2;

    private static final String LINK = """
            UPDATE bench_port AS t SET peer_serial = v.ps, peer_port = v.pp, linked_at = ?
              FROM unnest(?::text[], ?::char[], ?::text[], ?::char[]) AS v(s, p, ps, pp)
             WHERE t.serial_number = v.s AND t.port = v.p AND t.peer_serial IS NULL
            """;
    private static final String LINK_HISTORY = """
            INSERT INTO bench_history (serial_number, event, port, peer_serial, peer_port, actor, job_id, line_number)
            SELECT s, 'LINKED', p, ps, pp, 'bench', 0, n
              FROM unnest(?::text[], ?::char[], ?::text[], ?::char[], ?::bigint[]) AS v(s, p, ps, pp, n)
            """;
    private static final String ADD_WIDGETS = """
            INSERT INTO bench_widget (serial_number, name)
            SELECT s, n FROM unnest(?::text[], ?::text[]) AS v(s, n)
            ON CONFLICT (serial_number) DO NOTHING
            """;
    private static final String ADD_PORTS = """
            INSERT INTO bench_port (serial_number, port)
            SELECT s, p FROM unnest(?::text[], ?::char[]) AS v(s, p)
            """;
    private static final String ADD_HISTORY = """
            INSERT INTO bench_history (serial_number, event, name, ports, actor, job_id, line_number)
            SELECT s, 'ADDED', n, ps, 'bench', 0, l FROM unnest(?::text[], ?::text[], ?::text[], ?::bigint[]) AS v(s, n, ps, l)
            """;

    private SetBasedBound() {}

    /** Links per second of the link file's links written set-based on a copy of {@code port} with every port free. */
    static double links(DataSource db, boolean citus, Path file) throws Exception {
        return onScratchTables(
                db,
                s -> {
                    s.execute("CREATE TABLE bench_port (LIKE port INCLUDING ALL) WITH (fillfactor = 80)");
                    history(s);
                    if (citus) {
                        s.execute("SELECT create_distributed_table('bench_port', 'serial_number',"
                                + " colocate_with => 'port')");
                        s.execute("SELECT create_distributed_table('bench_history', 'serial_number',"
                                + " colocate_with => 'port')");
                    }
                    s.execute("INSERT INTO bench_port (serial_number, port) SELECT serial_number, port FROM port");
                    settle(s, "bench_port");
                },
                file,
                citus,
                SetBasedBound::linkBatch);
    }

    /** Widgets per second of the widget file's adds written set-based into empty tables shaped like the real ones. */
    static double adds(DataSource db, boolean citus, Path file) throws Exception {
        return onScratchTables(
                db,
                s -> {
                    s.execute("CREATE TABLE bench_widget (LIKE widget INCLUDING ALL)");
                    s.execute("CREATE TABLE bench_port (LIKE port INCLUDING ALL) WITH (fillfactor = 80)");
                    s.execute("ALTER TABLE bench_port ADD FOREIGN KEY (serial_number) REFERENCES bench_widget"
                            + " ON DELETE CASCADE");
                    history(s);
                    if (citus) {
                        for (String table : List.of("bench_widget", "bench_port", "bench_history")) {
                            s.execute("SELECT create_distributed_table('" + table + "', 'serial_number',"
                                    + " colocate_with => 'widget')");
                        }
                    }
                    settle(s, null);
                },
                file,
                citus,
                SetBasedBound::addBatch);
    }

    /** Creates the scratch tables, writes the file into them, and drops them again whatever happens. */
    private interface Setup {
        void create(Statement s) throws SQLException;
    }

    private static double onScratchTables(DataSource db, Setup setup, Path file, boolean citus, Batch batch)
            throws Exception {
        try (Connection c = db.getConnection();
                Statement s = c.createStatement()) {
            drop(s);
            setup.create(s);
        }
        try {
            return run(db, file, citus, batch);
        } finally {
            try (Connection c = db.getConnection();
                    Statement s = c.createStatement()) {
                drop(s);
            }
        }
    }

    private static void history(Statement s) throws SQLException {
        s.execute("CREATE SEQUENCE bench_history_id");
        s.execute("CREATE TABLE bench_history (LIKE wiring_history INCLUDING CONSTRAINTS INCLUDING INDEXES)");
        s.execute("ALTER TABLE bench_history ALTER COLUMN id SET DEFAULT nextval('bench_history_id'),"
                + " ALTER COLUMN at SET DEFAULT now()");
    }

    private static void drop(Statement s) throws SQLException {
        s.execute("DROP TABLE IF EXISTS bench_history, bench_port, bench_widget");
        s.execute("DROP SEQUENCE IF EXISTS bench_history_id");
    }

    /**
     * Settles the wiring tables as {@link #settle} does the bound's copies — VACUUM ANALYZE, then a checkpoint — so the
     * job's link file meets them in the state the link bound meets its copy; returns the seconds it took.
     */
    static double settleWiring(DataSource db) throws SQLException {
        long t0 = System.nanoTime();
        try (Connection c = db.getConnection();
                Statement s = c.createStatement()) {
            for (String table : List.of("widget", "port", "wiring_history")) {
                s.execute("VACUUM ANALYZE " + table);
            }
            settle(s, null);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /**
     * Statistics for the planner, then a checkpoint, so the copy's writes are not flushed on the bound's time (the job
     * too starts its file some while after the data it rewires was written).
     */
    private static void settle(Statement s, String table) throws SQLException {
        if (table != null) {
            s.execute("VACUUM ANALYZE " + table);
        }
        try {
            s.execute("CHECKPOINT");
        } catch (SQLException e) {
            log.info("No CHECKPOINT before the bound: {}", e.getMessage());
        }
    }

    /** Writes one transaction's worth of lines (fields of each CSV line, and its line number). */
    private interface Batch {
        void write(Connection c, List<String[]> lines, List<Long> numbers) throws SQLException;
    }

    /**
     * Two writers over the file, each its share of the lines; returns lines per second over both. On Citus each
     * writer's transactions use one connection per worker, as the job's chunks do ({@code ChunkWrites}): without it
     * every multi-shard write opens a connection per shard, and the bound would measure connection set-up.
     */
    private static double run(DataSource db, Path file, boolean citus, Batch batch) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        try {
            List<Future<Long>> writers = new ArrayList<>();
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
            return lines / seconds;
        } finally {
            pool.shutdownNow();
        }
    }

    private static long write(DataSource db, Path file, boolean citus, int writer, Batch batch) throws Exception {
        long written = 0, number = 1;
        try (Connection c = db.getConnection();
                BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            if (citus) {
                try (Statement s = c.createStatement()) {
                    s.execute("SET citus.max_adaptive_executor_pool_size = 1");
                }
            }
            c.setAutoCommit(false);
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
                    batch.write(c, lines, numbers);
                    c.commit();
                    written += lines.size();
                    lines.clear();
                    numbers.clear();
                }
            }
            if (!lines.isEmpty()) {
                batch.write(c, lines, numbers);
                c.commit();
                written += lines.size();
            }
            if (citus) { // the pooled connection goes on to other measurements
                try (Statement s = c.createStatement()) {
                    s.execute("RESET citus.max_adaptive_executor_pool_size");
                }
                c.commit();
            }
        }
        return written;
    }

    /** {@code link,a,P,b,Q}: both ends set if both are free, and a history row for each. */
    private static void linkBatch(Connection c, List<String[]> lines, List<Long> numbers) throws SQLException {
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
        try (PreparedStatement update = c.prepareStatement(LINK);
                PreparedStatement history = c.prepareStatement(LINK_HISTORY)) {
            update.setTimestamp(1, Timestamp.from(Instant.now()));
            update.setArray(2, c.createArrayOf("text", s));
            update.setArray(3, c.createArrayOf("text", p));
            update.setArray(4, c.createArrayOf("text", ps));
            update.setArray(5, c.createArrayOf("text", pp));
            int updated = update.executeUpdate();
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
    private static void addBatch(Connection c, List<String[]> lines, List<Long> numbers) throws SQLException {
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
