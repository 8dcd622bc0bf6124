package com.widgets.db.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.springframework.jdbc.core.JdbcTemplate;

/** Test access to the wiring tables: emptying them, and SQL checks of the invariants the store promises. */
public final class WiringDatabase {

    private final JdbcTemplate jdbc;

    public WiringDatabase(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public void reset() {
        jdbc.execute("TRUNCATE widget, port, wiring_history");
    }

    /**
     * Every broken invariant, as sentences; empty when the wiring is sound. Checks that every link is symmetric and
     * points at an existing port, and that no port is claimed as peer by two ports.
     */
    public List<String> invariantViolations() {
        List<String> problems = new ArrayList<>();
        problems.addAll(jdbc.queryForList("""
                SELECT 'asymmetric or dangling link ' || a.serial_number || '.' || a.port || ' -> '
                       || a.peer_serial || '.' || a.peer_port
                  FROM port a
                  LEFT JOIN port b ON b.serial_number = a.peer_serial AND b.port = a.peer_port
                 WHERE a.peer_serial IS NOT NULL
                   AND (b.serial_number IS NULL OR b.peer_serial IS DISTINCT FROM a.serial_number
                        OR b.peer_port IS DISTINCT FROM a.port)
                """, String.class));
        problems.addAll(jdbc.queryForList("""
                SELECT 'port ' || peer_serial || '.' || peer_port || ' claimed by ' || count(*) || ' ports'
                  FROM port WHERE peer_serial IS NOT NULL
                 GROUP BY peer_serial, peer_port HAVING count(*) > 1
                """, String.class));
        problems.addAll(jdbc.queryForList("""
                SELECT 'port row without widget ' || p.serial_number
                  FROM port p LEFT JOIN widget w ON w.serial_number = p.serial_number
                 WHERE w.serial_number IS NULL
                """, String.class));
        return problems;
    }

    /** The current wiring as text, one line per port: {@code serial name port -> peer}. */
    public Map<String, String> snapshot() {
        Map<String, String> state = new TreeMap<>();
        jdbc.query("""
                SELECT w.serial_number, w.name, p.port, p.peer_serial, p.peer_port
                  FROM widget w JOIN port p ON p.serial_number = w.serial_number
                """, rs -> {
            state.put(
                    rs.getString(1) + "." + rs.getString(3),
                    rs.getString(2) + " -> " + Objects.toString(rs.getString(4), "") + "."
                            + Objects.toString(rs.getString(5), ""));
        });
        return state;
    }

    /** The wiring obtained by replaying the whole history in id order, in the same form as {@link #snapshot}. */
    public Map<String, String> replayHistory() {
        Map<String, String> names = new HashMap<>();
        Map<String, String> peers = new TreeMap<>();
        jdbc.query(
                "SELECT serial_number, event, port, peer_serial, peer_port, name, ports FROM wiring_history ORDER BY id",
                rs -> {
                    String serial = rs.getString(1);
                    switch (rs.getString(2)) {
                        case "ADDED" -> {
                            names.put(serial, rs.getString(6));
                            for (char port : rs.getString(7).toCharArray()) {
                                peers.put(serial + "." + port, ".");
                            }
                        }
                        case "REMOVED" -> {
                            names.remove(serial);
                            for (String port : new String[] {"P", "R", "Q"}) {
                                peers.remove(serial + "." + port);
                            }
                        }
                        case "LINKED" ->
                            peers.put(serial + "." + rs.getString(3), rs.getString(4) + "." + rs.getString(5));
                        case "UNLINKED" -> peers.put(serial + "." + rs.getString(3), ".");
                        default -> throw new IllegalStateException("unknown event " + rs.getString(2));
                    }
                });
        Map<String, String> state = new TreeMap<>();
        peers.forEach((port, peer) ->
                state.put(port, names.get(port.substring(0, port.lastIndexOf('.'))) + " -> " + peer));
        return state;
    }

    public long count(String sql, Object... args) {
        Long n = jdbc.queryForObject(sql, Long.class, args);
        return n == null ? 0 : n;
    }
}
