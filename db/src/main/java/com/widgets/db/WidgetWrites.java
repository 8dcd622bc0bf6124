package com.widgets.db;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/** Adds and removes widgets; a removal frees every peer port in the same transaction. */
final class WidgetWrites {

    private static final String INSERT_WIDGET = """
            INSERT INTO widget (serial_number, name) VALUES (?, ?)
            ON CONFLICT (serial_number) DO NOTHING
            RETURNING created_at
            """;
    private static final String INSERT_PORTS = """
            INSERT INTO port (serial_number, port) SELECT ?, unnest(?::text[])
            """;
    private static final String ADDED = """
            INSERT INTO wiring_history (serial_number, event, name, ports, %s) VALUES (?, 'ADDED', ?, ?, %s)
            """.formatted(HistoryColumns.ORIGIN, HistoryColumns.ORIGIN_VALUES);
    /** Frees one peer's port, if it still points at the removed widget, and records it. */
    private static final String FREE_PEER = """
            WITH u AS (
                UPDATE port SET peer_serial = NULL, peer_port = NULL, linked_at = NULL
                 WHERE serial_number = ? AND port = ? AND peer_serial = ? AND peer_port = ?
                RETURNING serial_number, port)
            INSERT INTO wiring_history (serial_number, event, port, peer_serial, peer_port, %s)
            SELECT serial_number, 'UNLINKED', port, ?, ?, %s FROM u
            """.formatted(HistoryColumns.ORIGIN, HistoryColumns.ORIGIN_VALUES);
    /** Deletes the widget's ports, recording each link it ends; returns the links it found. */
    private static final String DELETE_PORTS = """
            WITH d AS (
                DELETE FROM port WHERE serial_number = ?
                RETURNING serial_number, port, peer_serial, peer_port)
            INSERT INTO wiring_history (serial_number, event, port, peer_serial, peer_port, %s)
            SELECT serial_number, 'UNLINKED', port, peer_serial, peer_port, %s FROM d WHERE peer_serial IS NOT NULL
            RETURNING port, peer_serial, peer_port
            """.formatted(HistoryColumns.ORIGIN, HistoryColumns.ORIGIN_VALUES);

    private static final String DELETE_WIDGET = """
            WITH d AS (DELETE FROM widget WHERE serial_number = ? RETURNING serial_number, name)
            INSERT INTO wiring_history (serial_number, event, name, %s)
            SELECT serial_number, 'REMOVED', name, %s FROM d
            """.formatted(HistoryColumns.ORIGIN, HistoryColumns.ORIGIN_VALUES);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final WidgetReads reads;

    WidgetWrites(JdbcTemplate jdbc, TransactionTemplate tx, WidgetReads reads) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.reads = reads;
    }

    Change<Widget> add(String serial, String name, Set<PortType> ports, Origin origin) {
        String letters = PortType.letters(ports);
        return Attempts.run(
                "Widget " + Texts.quote(serial),
                () -> tx.execute(status -> {
                    List<Timestamp> created = jdbc.queryForList(INSERT_WIDGET, Timestamp.class, serial, name);
                    if (!created.isEmpty()) {
                        String[] types = ports.stream().sorted().map(Enum::name).toArray(String[]::new);
                        jdbc.update(INSERT_PORTS, serial, types);
                        jdbc.update(ADDED, HistoryColumns.args(origin, serial, name, letters));
                        List<Port> free = ports.stream()
                                .sorted()
                                .map(t -> new Port(t, null, null))
                                .toList();
                        return Change.changed(
                                new Widget(serial, name, created.get(0).toInstant(), free));
                    }
                    Widget existing = reads.one(serial).orElseThrow(Attempts.StateChanged::new);
                    if (existing.name().equals(name) && existing.portTypes().equals(ports)) {
                        return Change.unchanged(existing);
                    }
                    throw new WiringException(
                            ErrorCode.WIDGET_EXISTS,
                            "Widget " + Texts.quote(serial) + " already exists with name "
                                    + Texts.quote(existing.name()) + " and ports "
                                    + PortType.letters(existing.portTypes()) + ".");
                }));
    }

    Change<Widget> remove(String serial, Origin origin) {
        return Attempts.run("Widget " + Texts.quote(serial), () -> {
            Widget widget = reads.one(serial).orElse(null);
            if (widget == null) {
                return Change.<Widget>unchanged(null);
            }
            tx.executeWithoutResult(status -> removeAsRead(widget, origin));
            return Change.changed(widget);
        });
    }

    /**
     * Locks rows in canonical order — serial number, then port — with this widget's own ports at their place in that
     * order, so a removal never deadlocks with links; any difference from what was read means retry.
     */
    private void removeAsRead(Widget widget, Origin origin) {
        String serial = widget.serialNumber();
        List<Port> linked = new ArrayList<>(widget.ports().stream()
                .filter(p -> !p.isFree())
                .sorted(Comparator.comparing(Port::peer))
                .toList());
        Set<String> serials = new TreeSet<>();
        serials.add(serial);
        linked.forEach(p -> serials.add(p.peer().serialNumber()));
        for (String next : serials) {
            if (next.equals(serial)) {
                deleteOwnPorts(widget, linked, origin);
                continue;
            }
            for (Port own : linked) {
                PortRef peer = own.peer();
                if (peer.serialNumber().equals(next)) {
                    String p = own.type().name();
                    int freed = jdbc.update(
                            FREE_PEER,
                            HistoryColumns.args(origin, next, peer.port().name(), serial, p, serial, p));
                    if (freed != 1) {
                        throw new Attempts.StateChanged();
                    }
                }
            }
        }
        if (jdbc.update(DELETE_WIDGET, HistoryColumns.args(origin, serial)) != 1) {
            throw new Attempts.StateChanged();
        }
    }

    private void deleteOwnPorts(Widget widget, List<Port> linked, Origin origin) {
        Set<String> expected = new HashSet<>();
        linked.forEach(p -> expected.add(p.type() + ">" + p.peer()));
        List<String> found = jdbc.query(
                DELETE_PORTS,
                (rs, i) -> rs.getString(1) + ">" + rs.getString(2) + "." + rs.getString(3),
                HistoryColumns.args(origin, widget.serialNumber()));
        if (!expected.equals(new HashSet<>(found))) {
            throw new Attempts.StateChanged();
        }
    }
}
