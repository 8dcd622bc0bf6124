package com.widgets.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * Judges a file's operations chunk by chunk as {@link WiringStore#applyChunkInParts} would apply them, without writing
 * the wiring or locking a row of it. What earlier chunks would have changed is carried in an overlay — two temporary
 * tables of this dry run's own connection — so a later line meets the state the earlier ones would have left, however
 * many widgets the file touches, in flat memory. Each chunk reads the committed wiring afresh and lays the overlay
 * over it: the report is what an apply would report on an unchanged database.
 */
public final class DryRun implements AutoCloseable {

    private static final String CREATE = """
            CREATE TEMPORARY TABLE dry_widget (serial_number text COLLATE "C" PRIMARY KEY, present boolean NOT NULL,
                                               name text, ports text);
            CREATE TEMPORARY TABLE dry_port (serial_number text COLLATE "C", port char(1), peer_serial text,
                                             peer_port char(1), PRIMARY KEY (serial_number, port))
            """;
    private static final String DROP = "DROP TABLE IF EXISTS dry_widget, dry_port";
    private static final String OVERLAID_WIDGETS =
            "SELECT serial_number, present, name, ports FROM dry_widget WHERE serial_number = ANY(?::text[])";
    private static final String OVERLAID_PORTS = """
            SELECT serial_number, port, peer_serial, peer_port FROM dry_port WHERE serial_number = ANY(?::text[])
            """;
    private static final String PUT_WIDGETS = """
            INSERT INTO dry_widget SELECT * FROM unnest(?::text[], ?::boolean[], ?::text[], ?::text[])
            ON CONFLICT (serial_number) DO UPDATE
               SET present = excluded.present, name = excluded.name, ports = excluded.ports
            """;
    private static final String CLEAR_PORTS = "DELETE FROM dry_port WHERE serial_number = ANY(?::text[])";
    private static final String PUT_PORTS = """
            INSERT INTO dry_port SELECT * FROM unnest(?::text[], ?::char[], ?::text[], ?::char[])
            ON CONFLICT (serial_number, port) DO UPDATE
               SET peer_serial = excluded.peer_serial, peer_port = excluded.peer_port
            """;

    private final SingleConnectionDataSource connection;
    private final JdbcTemplate jdbc;
    private final WidgetReads reads;

    DryRun(DataSource pool) {
        try {
            Connection borrowed = pool.getConnection();
            borrowed.setAutoCommit(true);
            this.connection = new SingleConnectionDataSource(borrowed, true);
        } catch (SQLException e) {
            throw WiringException.unavailable(e);
        }
        this.jdbc = new JdbcTemplate(connection);
        this.reads = new WidgetReads(jdbc, new PerShard(jdbc));
        run(() -> {
            jdbc.execute(DROP);
            jdbc.execute(CREATE);
            return null;
        });
    }

    /** One outcome per operation, in order, as if the chunks judged so far had been applied. */
    public List<OpOutcome> judge(List<? extends WiringOp> ops) {
        if (ops.isEmpty()) {
            return List.of();
        }
        return run(() -> {
            Set<String> serials = ChunkSimulation.serials(ops);
            ChunkSimulation simulation = new ChunkSimulation(serials, overlaid(serials));
            List<OpOutcome> outcomes = new ArrayList<>(ops.size());
            for (WiringOp op : ops) {
                outcomes.add(simulation.apply(op));
            }
            remember(simulation);
            return outcomes;
        });
    }

    /** The widgets as the file has left them so far: the committed wiring with the overlay on top. */
    private Map<String, Widget> overlaid(Set<String> serials) {
        Object names = serials.toArray(String[]::new);
        Map<String, Widget> found = new HashMap<>(reads.many(serials));
        Map<String, Map<PortType, PortRef>> ports = new HashMap<>();
        jdbc.query(
                OVERLAID_PORTS,
                rs -> {
                    String peer = rs.getString(3);
                    ports.computeIfAbsent(rs.getString(1), s -> new EnumMap<>(PortType.class))
                            .put(
                                    PortType.valueOf(rs.getString(2)),
                                    peer == null ? null : new PortRef(peer, PortType.valueOf(rs.getString(4))));
                },
                names);
        jdbc.query(
                OVERLAID_WIDGETS,
                rs -> {
                    String serial = rs.getString(1);
                    if (!rs.getBoolean(2)) {
                        found.remove(serial);
                        return;
                    }
                    List<Port> own = new ArrayList<>();
                    for (PortType type : PortType.setOf("ports", rs.getString(4))) {
                        own.add(new Port(type, null, null));
                    }
                    found.put(serial, new Widget(serial, rs.getString(3), Instant.EPOCH, own));
                },
                names);
        ports.forEach((serial, peers) -> {
            Widget widget = found.get(serial);
            if (widget != null) {
                List<Port> merged = new ArrayList<>();
                for (Port port : widget.ports()) {
                    merged.add(
                            peers.containsKey(port.type())
                                    ? new Port(port.type(), peers.get(port.type()), null)
                                    : port);
                }
                found.put(serial, new Widget(serial, widget.name(), widget.createdAt(), merged));
            }
        });
        return found;
    }

    /** Lays what the chunk would have changed over the overlay. */
    private void remember(ChunkSimulation simulation) {
        if (simulation.events().isEmpty()) {
            return;
        }
        List<String> serials = new ArrayList<>(), names = new ArrayList<>(), letters = new ArrayList<>();
        Set<String> named = new java.util.HashSet<>();
        List<Boolean> present = new ArrayList<>();
        PortRows rows = new PortRows();
        for (ChunkSimulation.WidgetState widget : simulation.widgets()) {
            serials.add(widget.serial);
            named.add(widget.serial);
            present.add(widget.exists);
            names.add(widget.exists ? widget.name : null);
            letters.add(widget.exists ? PortType.letters(widget.peers.keySet()) : null);
            if (widget.exists) {
                widget.peers.forEach((type, peer) -> rows.add(new PortRef(widget.serial, type), peer));
            }
        }
        jdbc.update(
                PUT_WIDGETS,
                serials.toArray(String[]::new),
                present.toArray(Boolean[]::new),
                names.toArray(String[]::new),
                letters.toArray(String[]::new));
        jdbc.update(CLEAR_PORTS, (Object) serials.toArray(String[]::new));
        simulation.touchedRows().forEach(row -> {
            PortRef port = row.port();
            if (simulation.finalPeer(port) == null && !named.contains(port.serialNumber())) {
                rows.add(port, null); // freed ports of widgets the chunk did not name
            }
        });
        rows.put(jdbc);
    }

    /** Port rows of the overlay to write, as parallel arrays. */
    private static final class PortRows {
        private final List<String> s = new ArrayList<>(), p = new ArrayList<>(), ps = new ArrayList<>();
        private final List<String> pp = new ArrayList<>();

        void add(PortRef port, PortRef peer) {
            s.add(port.serialNumber());
            p.add(port.port().name());
            ps.add(peer == null ? null : peer.serialNumber());
            pp.add(peer == null ? null : peer.port().name());
        }

        void put(JdbcTemplate jdbc) {
            if (!s.isEmpty()) {
                jdbc.update(
                        PUT_PORTS,
                        s.toArray(String[]::new),
                        p.toArray(String[]::new),
                        ps.toArray(String[]::new),
                        pp.toArray(String[]::new));
            }
        }
    }

    /** Drops the overlay and gives the connection back. */
    @Override
    public void close() {
        try {
            jdbc.execute(DROP);
        } catch (DataAccessException e) {
            // the connection is going back anyway; a broken one is evicted by the pool
        } finally {
            connection.destroy();
        }
    }

    private static <T> T run(java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (DataAccessException e) {
            throw WiringException.unavailable(e);
        }
    }
}
