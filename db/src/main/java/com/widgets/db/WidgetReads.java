package com.widgets.db;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;

/** Reads widgets with their ports; a join of co-located tables on serial_number only, as Citus requires. */
final class WidgetReads {

    private static final String SELECT = """
            SELECT w.serial_number, w.name, w.created_at, p.port, p.peer_serial, p.peer_port, p.linked_at
              FROM widget w JOIN port p ON p.serial_number = w.serial_number
            """;
    private static final String ONE = SELECT + " WHERE w.serial_number = ?";
    /** Locks the widget and its port rows; one serial number, so Citus routes it to one shard. */
    private static final String LOCK_ONE = ONE + " FOR UPDATE";

    /**
     * The filter goes on both sides of the join: with it on the widget side only, the planner hash-joins the whole
     * port table once the list holds a few thousand serial numbers.
     */
    private static final String MANY =
            SELECT + " WHERE w.serial_number = ANY(?::text[]) AND p.serial_number = ANY(?::text[])";

    /**
     * No {@code linked_at}: a chunk's rules look only at peers, and its check-and-set keeps the link time of a row it
     * leaves linked in SQL. Formatting that timestamp was a good part of the read's cost on both ends (PostgreSQL's
     * output function, pgjdbc's parsing), for ~540,000 rows on the quick run's mix.
     */
    private static final String PORTS_ONLY = """
            SELECT serial_number, port, peer_serial, peer_port FROM port WHERE serial_number = ANY(?::text[])
            """;

    private final JdbcTemplate jdbc;
    private final PerShard perShard;

    WidgetReads(JdbcTemplate jdbc, PerShard perShard) {
        this.jdbc = jdbc;
        this.perShard = perShard;
    }

    Optional<Widget> one(String serial) {
        Collector rows = new Collector();
        jdbc.query(ONE, rows, serial);
        return rows.widgets().values().stream().findFirst();
    }

    /** The widget with its ports, locked until the transaction ends. */
    Optional<Widget> lockOne(String serial) {
        Collector rows = new Collector();
        jdbc.query(LOCK_ONE, rows, serial);
        return rows.widgets().values().stream().findFirst();
    }

    /**
     * The widgets that exist among these serial numbers, keyed by serial number; each widget whole from one statement
     * (on Citus one statement per shard, {@link PerShard}).
     */
    Map<String, Widget> many(Collection<String> serials) {
        Collector rows = new Collector();
        if (!serials.isEmpty()) {
            String[] array = serials.toArray(String[]::new);
            perShard.query(MANY, array, rows, array, array);
        }
        return rows.widgets();
    }

    /**
     * The ports of the widgets that exist among these serial numbers, without the widget rows: a widget always has a
     * port, so its port rows tell that it exists. The widgets come back without name and creation time, their ports
     * without link time.
     */
    Map<String, Widget> portsForChunk(Collection<String> serials) {
        Map<String, List<Port>> ports = new LinkedHashMap<>();
        if (!serials.isEmpty()) {
            String[] array = serials.toArray(String[]::new);
            perShard.query(
                    PORTS_ONLY,
                    array,
                    rs -> {
                        String peerSerial = rs.getString(3);
                        PortRef peer =
                                peerSerial == null ? null : new PortRef(peerSerial, PortType.valueOf(rs.getString(4)));
                        ports.computeIfAbsent(rs.getString(1), k -> new ArrayList<>(3))
                                .add(new Port(PortType.valueOf(rs.getString(2)), peer, null));
                    },
                    (Object) array);
        }
        Map<String, Widget> widgets = new LinkedHashMap<>();
        ports.forEach((serial, list) -> {
            list.sort(Comparator.comparing(Port::type));
            widgets.put(serial, new Widget(serial, null, null, list));
        });
        return widgets;
    }

    /** Groups joined rows into widgets. */
    private static final class Collector implements RowCallbackHandler {
        private final Map<String, String> names = new LinkedHashMap<>();
        private final Map<String, Instant> created = new LinkedHashMap<>();
        private final Map<String, List<Port>> ports = new LinkedHashMap<>();

        @Override
        public void processRow(ResultSet rs) throws SQLException {
            String serial = rs.getString(1);
            names.put(serial, rs.getString(2));
            created.put(serial, rs.getTimestamp(3).toInstant());
            String peerSerial = rs.getString(5);
            PortRef peer = peerSerial == null ? null : new PortRef(peerSerial, PortType.valueOf(rs.getString(6)));
            Timestamp linkedAt = rs.getTimestamp(7);
            ports.computeIfAbsent(serial, s -> new ArrayList<>(3))
                    .add(new Port(
                            PortType.valueOf(rs.getString(4)), peer, linkedAt == null ? null : linkedAt.toInstant()));
        }

        Map<String, Widget> widgets() {
            Map<String, Widget> widgets = new LinkedHashMap<>();
            ports.forEach((serial, list) -> {
                list.sort(Comparator.comparing(Port::type));
                widgets.put(serial, new Widget(serial, names.get(serial), created.get(serial), list));
            });
            return widgets;
        }
    }
}
