package com.widgets.db.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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
     * points at an existing port, that no port is claimed as peer by two ports, and that every port has its widget.
     * Both ends are read and compared here rather than joined on the peer column, which a Citus cluster refuses (the
     * peer lives on another shard), so the same check runs on both databases.
     */
    public List<String> invariantViolations() {
        Map<String, String> peers = new HashMap<>();
        Map<String, Integer> claims = new TreeMap<>();
        Set<String> serialsOfPorts = new TreeSet<>();
        jdbc.query("SELECT serial_number, port, peer_serial, peer_port FROM port", rs -> {
            String end = rs.getString(1) + "." + rs.getString(2);
            String peer = rs.getString(3) == null ? null : rs.getString(3) + "." + rs.getString(4);
            peers.put(end, peer);
            serialsOfPorts.add(rs.getString(1));
            if (peer != null) {
                claims.merge(peer, 1, Integer::sum);
            }
        });
        List<String> problems = new ArrayList<>();
        new TreeMap<>(peers).forEach((end, peer) -> {
            if (peer != null && !end.equals(peers.get(peer))) {
                problems.add("asymmetric or dangling link " + end + " -> " + peer);
            }
        });
        claims.forEach((peer, n) -> {
            if (n > 1) {
                problems.add("port " + peer + " claimed by " + n + " ports");
            }
        });
        serialsOfPorts.removeAll(jdbc.queryForList("SELECT serial_number FROM widget", String.class));
        serialsOfPorts.forEach(serial -> problems.add("port row without widget " + serial));
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
