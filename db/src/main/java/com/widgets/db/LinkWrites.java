package com.widgets.db;

import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.ArgumentPreparedStatementSetter;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Links and unlinks ports. Both ends change in one transaction, each with a check-and-set update that also appends its
 * history row; the ends are written in canonical {@link PortRef} order, so two opposite links cannot deadlock.
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
     * The lock-wait settings and both ends' check-and-sets as one prepared statement: pgjdbc sends its parts in one
     * round trip (each parsed and bound on its own, one sync after the last), where a statement for the settings and a
     * batch for the ends took two. The results come back in order: the settings' two, then each end's history rows.
     */
    private static final String LINK_BOTH = LOCK_WAIT + ";\n" + LINK_END + ";\n" + LINK_END;

    private static final String UNLINK_BOTH = LOCK_WAIT + ";\n" + UNLINK_END + ";\n" + UNLINK_END;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Attempts attempts;
    private final WidgetReads reads;

    LinkWrites(JdbcTemplate jdbc, TransactionTemplate tx, Attempts attempts, WidgetReads reads) {
        this.jdbc = jdbc;
        this.tx = tx;
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

    Change<Link> unlink(PortRef end, PortRef expectedPeer, Origin origin) {
        return attempts.run("Port " + end, () -> {
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
     * Writes both ends in one transaction and announces them; false (and nothing written) unless both check-and-sets
     * matched.
     */
    private boolean bothEnds(boolean linking, PortRef a, PortRef b, Origin origin) {
        PortRef first = a.compareTo(b) < 0 ? a : b;
        PortRef second = first == a ? b : a;
        Object[] args = concat(endArgs(linking, first, second, origin), endArgs(linking, second, first, origin));
        Boolean written = tx.execute(status -> {
            if (endsWritten(linking ? LINK_BOTH : UNLINK_BOTH, args) != 2) {
                status.setRollbackOnly();
                return false;
            }
            return true;
        });
        return Boolean.TRUE.equals(written);
    }

    /** Runs the settings and both ends in the current transaction; the history rows the two ends wrote. */
    private int endsWritten(String sql, Object[] args) {
        Integer rows = jdbc.execute((ConnectionCallback<Integer>) con -> {
            try (PreparedStatement ps = con.prepareStatement(sql)) {
                new ArgumentPreparedStatementSetter(args).setValues(ps);
                List<Integer> counts = new ArrayList<>(4);
                for (boolean resultSet = ps.execute(); ; resultSet = ps.getMoreResults()) {
                    if (!resultSet) {
                        int count = ps.getUpdateCount();
                        if (count == -1) {
                            break;
                        }
                        counts.add(count);
                    }
                }
                if (counts.size() != 4) {
                    throw new IllegalStateException("expected 4 results (2 settings, 2 ends), got " + counts);
                }
                return counts.get(2) + counts.get(3);
            }
        });
        return rows == null ? 0 : rows;
    }

    private static Object[] concat(Object[] a, Object[] b) {
        Object[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static Object[] endArgs(boolean linking, PortRef end, PortRef peer, Origin origin) {
        String s = end.serialNumber(),
                p = end.port().name(),
                ps = peer.serialNumber(),
                pp = peer.port().name();
        return linking ? History.args(origin, ps, pp, s, p) : History.args(origin, s, p, ps, pp, ps, pp);
    }
}
