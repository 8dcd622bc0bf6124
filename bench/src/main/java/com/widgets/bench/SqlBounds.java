package com.widgets.bench;

import com.widgets.bench.load.ClosedLoop;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.SplittableRandom;

/**
 * The raw bounds of the API figures: the same change or read as the GraphQL call, written as the least SQL that does
 * it, each worker on a connection of its own with its statements prepared once — what pgbench would run, from the
 * harness's JVM. Not the service's store (that would hide its own costs): no lock timeout, no read before an unlink
 * (the bound knows the peer), no retries.
 */
final class SqlBounds implements ClosedLoop.Op, AutoCloseable {

    /** One end of a link: a check-and-set on its row and its history row, one statement routed to one shard. */
    private static final String LINK_END = """
            WITH u AS (UPDATE port SET peer_serial = ?, peer_port = ?, linked_at = now()
                        WHERE serial_number = ? AND port = ? AND peer_serial IS NULL
                       RETURNING serial_number)
            INSERT INTO wiring_history (serial_number, event, port, peer_serial, peer_port, actor)
            SELECT serial_number, 'LINKED', ?, ?, ?, 'bench' FROM u
            """;

    private static final String UNLINK_END = """
            WITH u AS (UPDATE port SET peer_serial = NULL, peer_port = NULL, linked_at = NULL
                        WHERE serial_number = ? AND port = ? AND peer_serial = ? AND peer_port = ?
                       RETURNING serial_number)
            INSERT INTO wiring_history (serial_number, event, port, peer_serial, peer_port, actor)
            SELECT serial_number, 'UNLINKED', ?, ?, ?, 'bench' FROM u
            """;

    /** The widget query's read: the widget and its ports with their peers, one join by serial number. */
    static final String WIDGET = """
            SELECT w.serial_number, w.name, w.created_at, p.port, p.peer_serial, p.peer_port, p.linked_at
              FROM widget w JOIN port p ON p.serial_number = w.serial_number
             WHERE w.serial_number = ?
            """;

    private interface Work {
        boolean run(Worker w, int worker, long i) throws SQLException;
    }

    /** A worker's connection and prepared statements. */
    private static final class Worker {
        final Connection connection;
        final PreparedStatement link, unlink, widget;
        final SplittableRandom random;

        Worker(String url, boolean autoCommit, SplittableRandom random) throws SQLException {
            connection = DriverManager.getConnection(url);
            connection.setAutoCommit(autoCommit);
            link = connection.prepareStatement(LINK_END);
            unlink = connection.prepareStatement(UNLINK_END);
            widget = connection.prepareStatement(WIDGET);
            this.random = random;
        }
    }

    private final String url;
    private final Worker[] workers;
    private final SplittableRandom[] random;
    private final boolean autoCommit;
    private final Work work;

    private SqlBounds(String url, int concurrency, boolean autoCommit, Work work) {
        this.url = url;
        this.autoCommit = autoCommit;
        this.workers = new Worker[concurrency];
        this.random = Bench.randomPerWorker(concurrency);
        this.work = work;
    }

    /**
     * The link/unlink pairs of the GraphQL mutation figure, as SQL: a link on even calls, the unlink of the same pair on
     * odd ones; each a transaction of two check-and-set statements with their history rows, ends in canonical order.
     */
    static SqlBounds linkUnlink(String url, int concurrency) {
        return new SqlBounds(url, concurrency, false, (w, worker, i) -> {
            String[] pair = Bench.pair(worker, i);
            boolean linking = i % 2 == 0;
            PreparedStatement end = linking ? w.link : w.unlink;
            bind(end, linking, pair[0], "P", pair[1], "Q");
            end.addBatch();
            bind(end, linking, pair[1], "Q", pair[0], "P");
            end.addBatch();
            int[] rows = end.executeBatch();
            if (rows.length == 2 && rows[0] == 1 && rows[1] == 1) {
                w.connection.commit();
                return true;
            }
            w.connection.rollback();
            return false;
        });
    }

    private static void bind(PreparedStatement end, boolean linking, String s, String p, String ps, String pp)
            throws SQLException {
        int k = 1;
        if (linking) {
            end.setString(k++, ps);
            end.setString(k++, pp);
            end.setString(k++, s);
            end.setString(k++, p);
        } else {
            end.setString(k++, s);
            end.setString(k++, p);
            end.setString(k++, ps);
            end.setString(k++, pp);
        }
        end.setString(k++, p);
        end.setString(k++, ps);
        end.setString(k, pp);
    }

    /** The widget query's read for random widgets among {@code n}, as the GraphQL figure picks them. */
    static SqlBounds widget(String url, int concurrency, int n) {
        return new SqlBounds(url, concurrency, true, (w, worker, i) -> {
            w.widget.setString(1, Bench.widgetSerial(w.random, n));
            int rows = 0;
            try (ResultSet rs = w.widget.executeQuery()) {
                while (rs.next()) {
                    for (int c = 1; c <= 7; c++) {
                        rs.getObject(c);
                    }
                    rows++;
                }
            }
            return rows > 0;
        });
    }

    @Override
    public boolean run(int worker, long i) throws Exception {
        Worker w = workers[worker];
        if (w == null) {
            w = workers[worker] = new Worker(url, autoCommit, random[worker]);
        }
        return work.run(w, worker, i);
    }

    @Override
    public void close() throws SQLException {
        for (Worker w : workers) {
            if (w != null) {
                w.connection.close();
            }
        }
    }
}
