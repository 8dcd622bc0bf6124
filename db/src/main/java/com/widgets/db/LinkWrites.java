package com.widgets.db;

import java.util.List;
import java.util.Map;
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
            """.formatted(HistoryColumns.ORIGIN, HistoryColumns.ORIGIN_VALUES);

    private static final String UNLINK_END = """
            WITH u AS (
                UPDATE port SET peer_serial = NULL, peer_port = NULL, linked_at = NULL
                 WHERE serial_number = ? AND port = ? AND peer_serial = ? AND peer_port = ?
                RETURNING serial_number, port)
            INSERT INTO wiring_history (serial_number, event, port, peer_serial, peer_port, %s)
            SELECT serial_number, 'UNLINKED', port, ?, ?, %s FROM u
            """.formatted(HistoryColumns.ORIGIN, HistoryColumns.ORIGIN_VALUES);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final WidgetReads reads;

    LinkWrites(JdbcTemplate jdbc, TransactionTemplate tx, WidgetReads reads) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.reads = reads;
    }

    Change<Link> link(PortRef a, PortRef b, Origin origin) {
        if (a.serialNumber().equals(b.serialNumber())) {
            throw new WiringException(
                    ErrorCode.SELF_LINK,
                    "A link needs two different widgets, but both ends are on " + Texts.quote(a.serialNumber()) + ".");
        }
        Link link = new Link(a, b);
        return Attempts.run("Port " + a + " or " + b, () -> {
            if (bothEnds(true, a, b, origin)) {
                return Change.changed(link);
            }
            Map<String, Widget> found = reads.many(List.of(a.serialNumber(), b.serialNumber()));
            Port portA = existingPort(found.get(a.serialNumber()), a);
            Port portB = existingPort(found.get(b.serialNumber()), b);
            if (b.equals(portA.peer()) && a.equals(portB.peer())) {
                return Change.unchanged(link);
            }
            if (!portA.isFree()) {
                throw busy(a, portA.peer());
            }
            if (!portB.isFree()) {
                throw busy(b, portB.peer());
            }
            throw new Attempts.StateChanged(); // both free by now: a concurrent unlink finished, try again
        });
    }

    Change<Link> unlink(PortRef end, PortRef expectedPeer, Origin origin) {
        return Attempts.run("Port " + end, () -> {
            Port port = existingPort(reads.one(end.serialNumber()).orElse(null), end);
            if (port.isFree()) {
                return Change.unchanged(null);
            }
            PortRef peer = port.peer();
            if (expectedPeer != null && !expectedPeer.equals(peer)) {
                throw new WiringException(
                        ErrorCode.NOT_LINKED_TO,
                        "Port " + end + " is linked to " + peer + ", not to " + expectedPeer + ".");
            }
            if (bothEnds(false, end, peer, origin)) {
                return Change.changed(new Link(end, peer));
            }
            throw new Attempts.StateChanged();
        });
    }

    /** Writes both ends in one transaction; false (and nothing written) unless both check-and-sets matched. */
    private boolean bothEnds(boolean linking, PortRef a, PortRef b, Origin origin) {
        PortRef first = a.compareTo(b) < 0 ? a : b;
        PortRef second = first == a ? b : a;
        String sql = linking ? LINK_END : UNLINK_END;
        List<Object[]> rows = List.of(endArgs(linking, first, second, origin), endArgs(linking, second, first, origin));
        Boolean written = tx.execute(status -> {
            int[] counts = jdbc.batchUpdate(sql, rows);
            if (counts[0] == 1 && counts[1] == 1) {
                return true;
            }
            status.setRollbackOnly();
            return false;
        });
        return Boolean.TRUE.equals(written);
    }

    private static Object[] endArgs(boolean linking, PortRef end, PortRef peer, Origin origin) {
        String s = end.serialNumber(),
                p = end.port().name(),
                ps = peer.serialNumber(),
                pp = peer.port().name();
        return linking ? HistoryColumns.args(origin, ps, pp, s, p) : HistoryColumns.args(origin, s, p, ps, pp, ps, pp);
    }

    static Port existingPort(Widget widget, PortRef ref) {
        if (widget == null) {
            throw notFound(ref.serialNumber());
        }
        return widget.port(ref.port())
                .orElseThrow(() -> new WiringException(
                        ErrorCode.PORT_NOT_ON_WIDGET,
                        "Widget " + Texts.quote(ref.serialNumber()) + " has no port " + ref.port() + " (it has "
                                + PortType.letters(widget.portTypes()) + ")."));
    }

    static WiringException notFound(String serial) {
        return new WiringException(ErrorCode.WIDGET_NOT_FOUND, "Widget " + Texts.quote(serial) + " does not exist.");
    }

    private static WiringException busy(PortRef port, PortRef peer) {
        return new WiringException(ErrorCode.PORT_BUSY, "Port " + port + " is already linked to " + peer + ".");
    }
}
