package com.widgets.bench;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * An existing database the harness was pointed at with {@code --url}: a Citus coordinator or a plain PostgreSQL server.
 * Says what it is for the report, and empties the wiring tables so every run loads the same files into empty tables.
 */
record ExternalDatabase(String url, String version, String citus, List<String> workers) {

    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "::1", "[::1]");

    /** Reads what the database is; call after the service migrated the schema. */
    static ExternalDatabase inspect(String url, JdbcTemplate jdbc) {
        String version = jdbc.queryForObject("SHOW server_version", String.class);
        List<String> citus =
                jdbc.queryForList("SELECT extversion FROM pg_extension WHERE extname = 'citus'", String.class);
        List<String> workers = citus.isEmpty()
                ? List.of()
                : jdbc.queryForList(
                        "SELECT node_name || ':' || node_port FROM citus_get_active_worker_nodes()"
                                + " ORDER BY node_name, node_port",
                        String.class);
        return new ExternalDatabase(url, version, citus.isEmpty() ? null : citus.get(0), workers);
    }

    /**
     * Empties the wiring tables (the schema stays, and so does the rewiring job history: job ids never repeat). The
     * tables are named in one statement because {@code port} has a foreign key to {@code widget}.
     */
    void emptyWiringTables(JdbcTemplate jdbc) {
        jdbc.execute("TRUNCATE widget, port, wiring_history");
    }

    boolean isCitus() {
        return citus != null;
    }

    /** The coordinator (or server) as host:port/database, without the URL's parameters, which may hold a password. */
    String address() {
        String rest = url.substring(url.indexOf("//") + 2);
        return rest.contains("?") ? rest.substring(0, rest.indexOf('?')) : rest;
    }

    /** Whether every node runs on this machine, sharing its cores with the service and the load generator. */
    boolean allOnThisMachine() {
        String hosts =
                address().contains("/") ? address().substring(0, address().indexOf('/')) : address();
        return Stream.of(hosts.split(",")).allMatch(ExternalDatabase::loopback)
                && workers.stream().allMatch(ExternalDatabase::loopback);
    }

    /** {@code host:port} or {@code host} names this machine. */
    private static boolean loopback(String hostAndPort) {
        int colon = hostAndPort.lastIndexOf(':');
        boolean port = colon > 0 && hostAndPort.substring(colon + 1).chars().allMatch(Character::isDigit);
        return LOOPBACK.contains(port ? hostAndPort.substring(0, colon) : hostAndPort);
    }

    /** A rerun on the same kind of database replaces the report section with this key. */
    String sectionKey() {
        return isCitus() ? "citus" : "postgresql";
    }

    String heading() {
        if (!isCitus()) {
            return "External PostgreSQL (" + address() + ")";
        }
        return allOnThisMachine()
                ? "Citus (local cluster: coordinator + " + workers.size() + " workers on this machine)"
                : "Citus (coordinator " + address() + ", " + workers.size()
                        + (workers.size() == 1 ? " worker)" : " workers)");
    }

    String description() {
        String postgres = "PostgreSQL " + version;
        if (!isCitus()) {
            return postgres + " at " + address();
        }
        return String.format(
                Locale.ROOT,
                "Citus %s on %s; coordinator %s, workers %s; wiring tables distributed on serial_number, co-located",
                citus,
                postgres,
                address(),
                String.join(", ", workers));
    }

    /** Why the figures are what they are, when the nodes share this machine. */
    String caveat(int cores) {
        if (!allOnThisMachine()) {
            return null;
        }
        int nodes = isCitus() ? workers.size() + 1 : 1;
        String who = nodes == 1
                ? "The database server shares this machine's " + cores + " cores with"
                : "All " + nodes + " nodes share this machine's " + cores + " cores with each other,";
        return who + " the service and the load generator, so these figures show that the path works, not how fast a"
                + " real " + (isCitus() ? "cluster" : "server") + " is.";
    }
}
