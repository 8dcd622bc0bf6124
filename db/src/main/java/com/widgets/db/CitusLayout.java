package com.widgets.db;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Refuses to start on a Citus coordinator whose wiring tables are not distributed on serial_number and co-located — as
 * happens when the extension was added after the first migration, which only distributes tables when Citus is
 * already there. The service would otherwise run silently on coordinator-local tables. Plain PostgreSQL passes.
 */
final class CitusLayout {

    /** The wiring tables, each of which must be hash-distributed on serial_number in one co-location group. */
    static final List<String> TABLES = List.of("widget", "port", "wiring_history");

    private static final String DISTRIBUTION = """
            SELECT logicalrelid::regclass::text AS table_name, partmethod::text AS method,
                   column_to_column_name(logicalrelid, partkey) AS column_name, colocationid
              FROM pg_dist_partition
             WHERE logicalrelid::regclass::text = ANY(?::text[])
            """;

    private final JdbcTemplate jdbc;

    CitusLayout(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Whether the database has the Citus extension (a coordinator, for this service). */
    static boolean onCitus(JdbcTemplate jdbc) {
        return Boolean.TRUE.equals(jdbc.queryForObject(
                "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')", Boolean.class));
    }

    /**
     * @return whether the database is a Citus coordinator (whose wiring tables are then as they must be)
     * @throws IllegalStateException naming every table that is not as it must be, and how to fix it
     */
    boolean verify() {
        if (!onCitus(jdbc)) {
            return false;
        }
        Map<String, String> found = new HashMap<>();
        Set<Long> groups = new TreeSet<>();
        jdbc.query(
                DISTRIBUTION,
                rs -> {
                    String shape = "h".equals(rs.getString("method")) ? rs.getString("column_name") : null;
                    found.put(rs.getString("table_name"), shape);
                    if (shape != null) {
                        groups.add(rs.getLong("colocationid"));
                    }
                },
                (Object) TABLES.toArray(String[]::new));
        List<String> wrong = new ArrayList<>();
        for (String table : TABLES) {
            if (!found.containsKey(table)) {
                wrong.add(table + " is not distributed (a coordinator-local table)");
            } else if (!"serial_number".equals(found.get(table))) {
                wrong.add(table + " is not hash-distributed on serial_number");
            }
        }
        if (wrong.isEmpty() && groups.size() > 1) {
            wrong.add("widget, port and wiring_history are not co-located");
        }
        if (!wrong.isEmpty()) {
            throw new IllegalStateException("This database has the Citus extension, but " + String.join("; ", wrong)
                    + ". The wiring would not be sharded. Distribute the tables on the coordinator, then start again:"
                    + " SELECT create_distributed_table('widget', 'serial_number');"
                    + " SELECT create_distributed_table('port', 'serial_number', colocate_with => 'widget');"
                    + " SELECT create_distributed_table('wiring_history', 'serial_number', colocate_with => 'widget');"
                    + " (undistribute_table() first for a table distributed otherwise). See docs/citus.md.");
        }
        return true;
    }
}
