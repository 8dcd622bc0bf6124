package com.widgets.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.ArgumentPreparedStatementSetter;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Links and unlinks ports. Both ends change in one transaction, each with a check-and-set update that also appends its
 * history row, sent to the server in one round trip (for an unlink naming only its port, one database function that
 * reads the peer too); the ends are written in canonical {@link PortRef} order, so two opposite links cannot deadlock.
 */
final class LinkWrites {

    private static final String LINK_END = """
            WITH u AS (
                UPDATE port SET peer_serial = ?, peer_port = ?, linked_at = now()
                 WHERE serial_number = ? AND port = ? AND peer_serial IS NULL
                RETURNING serial_number, port, peer_serial, peer_port)
            INSERT INTO wiring_history (serial_number, event, port, peer_serial, peer_port, %s)
            SELECT serial_number, 'LINKED', port, peer_serial, peer_port, %s FROM u
            """.formatted(History.ORIGIN, History.ORIGIN_VALUES);

    /** Frees one end of a link if it still points at the expected peer, and records it. */
    static final String UNLINK_END = """
            WITH u AS (
                UPDATE port SET peer_serial = NULL, peer_port = NULL, linked_at = NULL
                 WHERE serial_number = ? AND port = ? AND peer_serial = ? AND peer_port = ?
                RETURNING serial_number, port)
            INSERT INTO wiring_history (serial_number, event, port, peer_serial, peer_port, %s)
            SELECT serial_number, 'UNLINKED', port, ?, ?, %s FROM u
            """.formatted(History.ORIGIN, History.ORIGIN_VALUES);

    /**
     * A link's two row locks wait at most this long, then give way and try again (in the same canonical order): no
     * wait in a chain of waiters — a removal holding a widget's rows, say — lasts the 1 s after which PostgreSQL's
     * deadlock detector would abort someone; the writers never meet a deadlock, only a retry.
     */
    private static final String LOCK_WAIT = Attempts.lockWait(500);

    /**
     * After both ends' check-and-sets: how many of the pair's two ends now point at each other. {@code
     * wiring_whole_link} (changelog 011) refuses 1 with {@link #HALF_WRITTEN}, which aborts the transaction — one end
     * written and the other refused. The pair's two rows may sit on two shards; the statement names both serial
     * numbers, so Citus reads just those two shards.
     */
    private static final String WHOLE = """
            SELECT wiring_whole_link(count(*)) FROM port
             WHERE (serial_number = ? AND port = ? AND peer_serial = ? AND peer_port = ?)
                OR (serial_number = ? AND port = ? AND peer_serial = ? AND peer_port = ?)
            """;

    /**
     * An unlink that names only its port, whole, in one round trip: {@code BEGIN}, the lock-wait settings, {@code
     * wiring_unlink_port} (changelog 012: reads the peer, frees both ends in canonical order with their history rows,
     * returns the peer it freed), {@code COMMIT}.
     */
    private static final String UNLINK_PORT = String.join(
            ";\n",
            "BEGIN",
            LOCK_WAIT,
            "SELECT freed_serial, freed_port FROM wiring_unlink_port(?, ?::char, " + History.ORIGIN_VALUES + ")",
            "COMMIT");

    /** The SQLSTATE of {@code wiring_whole_link}'s refusal (and {@code wiring_unlink_port}'s). */
    static final String HALF_WRITTEN = "WG001";

    /**
     * A whole link or unlink as one prepared statement of seven: {@code BEGIN}, the lock-wait settings, both ends'
     * check-and-sets with their history rows, the check that both or neither were written, {@code COMMIT}. pgjdbc
     * parses and binds each on its own and sends them all with one sync: one round trip, where a transaction opened by
     * the driver takes a second for its commit. The server runs them in order and skips the rest after an error, which
     * leaves the transaction block aborted until the {@code ROLLBACK} {@link #whole} sends.
     */
    private static final String LINK_WHOLE = whole(LINK_END), UNLINK_WHOLE = whole(UNLINK_END);

    /** The update counts of a whole statement: BEGIN, the two settings, the two ends, COMMIT (the check is a query). */
    private static final int COUNTS = 6, FIRST_END = 3;

    private final JdbcTemplate jdbc;
    private final Attempts attempts;
    private final WidgetReads reads;

    LinkWrites(JdbcTemplate jdbc, Attempts attempts, WidgetReads reads) {
        this.jdbc = jdbc;
        this.attempts = attempts;
        this.reads = reads;
    }

    Change<Link> link(PortRef a, PortRef b, Origin origin) {
        Rules.checkNotSelfLink(a, b);
        Link link = new Link(a, b);
        return attempts.run("Port " + a + " or " + b, () -> {
            if (bothEnds(true, a, b, origin)) {
                return Change.changed(link);
            }
            Map<String, Widget> found = reads.many(List.of(a.serialNumber(), b.serialNumber()));
            Port portA = Rules.existingPort(found.get(a.serialNumber()), a);
            Port portB = Rules.existingPort(found.get(b.serialNumber()), b);
            if (b.equals(portA.peer()) && a.equals(portB.peer())) {
                return Change.unchanged(link);
            }
            if (!portA.isFree()) {
                throw Rules.busy(a, portA.peer());
            }
            if (!portB.isFree()) {
                throw Rules.busy(b, portB.peer());
            }
            throw new Attempts.StateChanged(); // both free by now: a concurrent unlink finished, try again
        });
    }

    /**
     * Frees a port and its peer, in one round trip when it is linked: a caller that names the expected peer is trusted
     * (both ends written without a read), and without one the database reads the peer and frees both ends in the same
     * call ({@code wiring_unlink_port}). Only when that changes nothing is the port read to say why (free, another
     * peer, no such port) or to try again.
     */
    Change<Link> unlink(PortRef end, PortRef expectedPeer, Origin origin) {
        return attempts.run("Port " + end, () -> {
            if (expectedPeer != null && !expectedPeer.equals(end) && bothEnds(false, end, expectedPeer, origin)) {
                return Change.changed(new Link(end, expectedPeer));
            }
            if (expectedPeer == null) {
                PortRef freed = unlinkPort(end, origin);
                if (freed != null) {
                    return Change.changed(new Link(end, freed));
                }
            }
            Port port = Rules.existingPort(reads.one(end.serialNumber()).orElse(null), end);
            if (port.isFree()) {
                return Change.unchanged(null);
            }
            PortRef peer = port.peer();
            if (expectedPeer != null && !expectedPeer.equals(peer)) {
                throw Rules.notLinkedTo(end, peer, expectedPeer);
            }
            if (bothEnds(false, end, peer, origin)) {
                return Change.changed(new Link(end, peer));
            }
            throw new Attempts.StateChanged();
        });
    }

    /**
     * Writes both ends in one transaction; false (and nothing written) unless both check-and-sets matched.
     */
    private boolean bothEnds(boolean linking, PortRef a, PortRef b, Origin origin) {
        PortRef first = a.compareTo(b) < 0 ? a : b;
        PortRef second = first == a ? b : a;
        Object[] args = concat(
                endArgs(linking, first, second, origin),
                endArgs(linking, second, first, origin),
                pairArgs(first, second),
                pairArgs(second, first));
        Integer written = whole(linking ? LINK_WHOLE : UNLINK_WHOLE, args, 0, ps -> {
            List<Integer> counts = new ArrayList<>(COUNTS);
            for (boolean resultSet = ps.execute(); ; resultSet = ps.getMoreResults()) {
                if (!resultSet) {
                    int count = ps.getUpdateCount();
                    if (count == -1) {
                        break;
                    }
                    counts.add(count);
                }
            }
            if (counts.size() != COUNTS) {
                throw new IllegalStateException("expected " + COUNTS + " update counts, got " + counts);
            }
            return counts.get(FIRST_END) + counts.get(FIRST_END + 1); // the history rows the two ends wrote
        });
        return written != null && written == 2;
    }

    /**
     * Frees {@code end} and whatever peer it has, whole, in one round trip; the peer freed, or null when nothing was
     * written (the port free or missing, or changed meanwhile: the caller reads it).
     */
    private PortRef unlinkPort(PortRef end, Origin origin) {
        Object[] args = History.args(origin, end.serialNumber(), end.port().name());
        return whole(UNLINK_PORT, args, null, ps -> {
            PortRef peer = null;
            for (boolean resultSet = ps.execute(); ; resultSet = ps.getMoreResults()) {
                if (resultSet) {
                    try (ResultSet rows = ps.getResultSet()) {
                        if (rows.next()) {
                            peer = new PortRef(rows.getString(1), PortType.valueOf(rows.getString(2)));
                        }
                    }
                } else if (ps.getUpdateCount() == -1) {
                    return peer;
                }
            }
        });
    }

    /** Executes a whole statement and reads what it answered. */
    private interface Answer<T> {
        T read(PreparedStatement statement) throws SQLException;
    }

    /**
     * Runs a whole statement — it opens and commits its transaction itself, so on a connection of its own in
     * auto-commit mode, never inside a transaction of the caller's — and returns what {@code answer} read, or {@code
     * halfWritten} when the database refused a half write and the transaction was rolled back. Any other failure rolls
     * back and is thrown for {@link Attempts} to judge.
     */
    private <T> T whole(String sql, Object[] args, T halfWritten, Answer<T> answer) {
        if (TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("a link or unlink commits on its own; call it outside a transaction");
        }
        return jdbc.execute((ConnectionCallback<T>) con -> {
            if (!con.getAutoCommit()) {
                con.setAutoCommit(true); // the pool restores its own default when the connection comes back
            }
            try (PreparedStatement ps = con.prepareStatement(sql)) {
                new ArgumentPreparedStatementSetter(args).setValues(ps);
                return answer.read(ps);
            } catch (SQLException e) {
                rollBack(con, e);
                if (HALF_WRITTEN.equals(e.getSQLState())) {
                    return halfWritten;
                }
                throw e;
            }
        });
    }

    /** Ends the transaction block an error left aborted, so the pooled connection comes back clean. */
    private static void rollBack(Connection con, SQLException cause) {
        try (Statement rollback = con.createStatement()) {
            rollback.execute("ROLLBACK");
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    private static String whole(String end) {
        return String.join(";\n", "BEGIN", LOCK_WAIT, end, end, WHOLE, "COMMIT");
    }

    private static Object[] pairArgs(PortRef end, PortRef peer) {
        return new Object[] {
            end.serialNumber(),
            end.port().name(),
            peer.serialNumber(),
            peer.port().name()
        };
    }

    private static Object[] concat(Object[]... parts) {
        return Arrays.stream(parts).flatMap(Arrays::stream).toArray();
    }

    private static Object[] endArgs(boolean linking, PortRef end, PortRef peer, Origin origin) {
        String s = end.serialNumber(),
                p = end.port().name(),
                ps = peer.serialNumber(),
                pp = peer.port().name();
        return linking ? History.args(origin, ps, pp, s, p) : History.args(origin, s, p, ps, pp, ps, pp);
    }
}
