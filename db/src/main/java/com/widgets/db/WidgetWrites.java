package com.widgets.db;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
            RETURNING id, at
            """.formatted(History.ORIGIN, History.ORIGIN_VALUES);
    /** Frees one peer's port, if it still points at the removed widget, and records it. */
    private static final String FREE_PEER = LinkWrites.UNLINK_END + " RETURNING id, at";
    /** Deletes the widget's ports, recording each link it ends; returns the links it found. */
    private static final String DELETE_PORTS = """
            WITH d AS (
                DELETE FROM port WHERE serial_number = ?
                RETURNING serial_number, port, peer_serial, peer_port)
            INSERT INTO wiring_history (serial_number, event, port, peer_serial, peer_port, %s)
            SELECT serial_number, 'UNLINKED', port, peer_serial, peer_port, %s FROM d WHERE peer_serial IS NOT NULL
            RETURNING id, at, port, peer_serial, peer_port
            """.formatted(History.ORIGIN, History.ORIGIN_VALUES);

    private static final String DELETE_WIDGET = """
            WITH d AS (DELETE FROM widget WHERE serial_number = ? RETURNING serial_number, name)
            INSERT INTO wiring_history (serial_number, event, name, %s)
            SELECT serial_number, 'REMOVED', name, %s FROM d
            RETURNING id, at, name
            """.formatted(History.ORIGIN, History.ORIGIN_VALUES);

    /**
     * How long a removal waits for a peer's port before giving way; far below PostgreSQL's 1 s deadlock_timeout. On
     * Citus the locks are taken on the workers, so the setting must travel there ({@code propagate_set_commands}).
     */
    private static final String REMOVAL_LOCK_WAIT = Attempts.lockWait(200);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Attempts attempts;
    private final WidgetReads reads;

    WidgetWrites(JdbcTemplate jdbc, TransactionTemplate tx, Attempts attempts, WidgetReads reads) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.attempts = attempts;
        this.reads = reads;
    }

    Change<Widget> add(String serial, String name, Set<PortType> ports, Origin origin) {
        String letters = PortType.letters(ports);
        return attempts.run(
                "Widget " + Texts.quote(serial),
                () -> tx.execute(status -> {
                    List<Timestamp> created = jdbc.queryForList(INSERT_WIDGET, Timestamp.class, serial, name);
                    if (!created.isEmpty()) {
                        String[] types = ports.stream().sorted().map(Enum::name).toArray(String[]::new);
                        jdbc.update(INSERT_PORTS, serial, types);
                        History.Stamp stamp = jdbc.queryForObject(
                                ADDED, History.Stamp.ROW, History.args(origin, serial, name, letters));
                        List<Port> free = ports.stream()
                                .sorted()
                                .map(t -> new Port(t, null, null))
                                .toList();
                        return Change.changed(
                                new Widget(serial, name, created.get(0).toInstant(), free));
                    }
                    Widget existing = reads.one(serial).orElseThrow(Attempts.StateChanged::new);
                    Rules.sameWidget(existing, name, ports);
                    return Change.unchanged(existing);
                }));
    }

    Change<Widget> remove(String serial, Origin origin) {
        return attempts.run("Widget " + Texts.quote(serial), () -> tx.execute(status -> removeLocked(serial, origin)));
    }

    /**
     * Locks the widget and its own ports first — from then on no link to it can appear or vanish — then frees each
     * peer's port with a check-and-set that must match, then deletes the widget.
     *
     * <p>Freeing peers after the widget's own rows breaks the canonical lock order links use, so a removal can meet a
     * concurrent unlink of one of its peers in a lock cycle. {@code lock_timeout} (well under {@code deadlock_timeout})
     * makes the removal give way and retry before PostgreSQL has to break a deadlock.
     */
    private Change<Widget> removeLocked(String serial, Origin origin) {
        jdbc.execute(REMOVAL_LOCK_WAIT);
        Widget widget = reads.lockOne(serial).orElse(null);
        if (widget == null) {
            return Change.unchanged(null);
        }
        List<Port> linked = widget.ports().stream()
                .filter(p -> !p.isFree())
                .sorted(Comparator.comparing(Port::peer))
                .toList();
        List<WiringEvent> events = new ArrayList<>();
        for (Port own : linked) {
            freePeer(new PortRef(serial, own.type()), own.peer(), origin, events);
        }
        deleteOwnPorts(widget, linked, origin, events);
        List<WiringEvent> removed = jdbc.query(
                DELETE_WIDGET,
                (rs, i) -> new WiringEvent(
                        rs.getLong("id"),
                        rs.getTimestamp("at").toInstant(),
                        serial,
                        EventType.REMOVED,
                        null,
                        null,
                        rs.getString("name"),
                        null,
                        origin),
                History.args(origin, serial));
        if (removed.size() != 1) {
            throw new Attempts.StateChanged();
        }
        events.addAll(removed);
        return Change.changed(widget);
    }

    private void freePeer(PortRef own, PortRef peer, Origin origin, List<WiringEvent> events) {
        String s = own.serialNumber(), p = own.port().name();
        List<History.Stamp> freed = jdbc.query(
                FREE_PEER,
                History.Stamp.ROW,
                History.args(origin, peer.serialNumber(), peer.port().name(), s, p, s, p));
        if (freed.size() != 1) {
            throw new Attempts.StateChanged();
        }
        events.add(History.portEvent(freed.get(0), EventType.UNLINKED, peer, own, origin));
    }

    private void deleteOwnPorts(Widget widget, List<Port> linked, Origin origin, List<WiringEvent> events) {
        String serial = widget.serialNumber();
        List<WiringEvent> unlinked = jdbc.query(
                DELETE_PORTS,
                (rs, i) -> History.portEvent(
                        History.Stamp.ROW.mapRow(rs, i),
                        EventType.UNLINKED,
                        new PortRef(serial, PortType.valueOf(rs.getString("port"))),
                        new PortRef(rs.getString("peer_serial"), PortType.valueOf(rs.getString("peer_port"))),
                        origin),
                History.args(origin, serial));
        Set<Link> expected = new HashSet<>();
        linked.forEach(p -> expected.add(new Link(new PortRef(serial, p.type()), p.peer())));
        Set<Link> found = new HashSet<>();
        unlinked.forEach(e -> found.add(new Link(new PortRef(serial, e.port()), e.peer())));
        if (!expected.equals(found)) {
            throw new Attempts.StateChanged();
        }
        events.addAll(unlinked);
    }
}
