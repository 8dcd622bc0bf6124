package com.widgets.db.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;

/**
 * Where the tests' database is: the embedded PostgreSQL (the default), or — in the Citus lane, {@code ./mvnw verify
 * -Pcitus -Dwidgets.test.citus-url=jdbc:postgresql://…} — a fresh database created on every node of that Citus
 * cluster, with the extension and the cluster's workers, so no run sees another's leftovers. The databases a test JVM
 * created are dropped when it exits.
 */
public final class TestDatabases {

    /** The system property naming the Citus coordinator of the lane; absent on the embedded default. */
    public static final String CITUS_URL = "widgets.test.citus-url";
    /** Set by the {@code citus} Maven profile, so that a lane requested without a URL is skipped, not run embedded. */
    static final String LANE = "widgets.test.lane";

    private static final Pattern URL = Pattern.compile("jdbc:postgresql://([^/:?]+)(?::(\\d+))?/([^?]*)(\\?.*)?");
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final Map<String, Created> CREATED = new ConcurrentHashMap<>();
    private static final Logger log = LoggerFactory.getLogger(TestDatabases.class);

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(TestDatabases::dropAll, "drop-test-databases"));
    }

    private TestDatabases() {}

    /** True when the tests run against a Citus cluster. */
    public static boolean onCitus() {
        String url = System.getProperty(CITUS_URL);
        return url != null && !url.isBlank();
    }

    /** True when the Citus lane was asked for without a cluster to run on. */
    static boolean citusLaneWithoutCluster() {
        return "citus".equals(System.getProperty(LANE)) && !onCitus();
    }

    /**
     * A new, empty database on the lane's Citus cluster — coordinator and workers — ready for Liquibase, as a JDBC
     * URL with the coordinator's query parameters (user and the like).
     */
    public static String freshCitusDatabase(String label) {
        Matcher url = URL.matcher(System.getProperty(CITUS_URL));
        if (!url.matches()) {
            throw new IllegalArgumentException(
                    CITUS_URL + " must look like jdbc:postgresql://host:port/database?user=…, not " + url);
        }
        String params = url.group(4) == null ? "" : url.group(4);
        Node coordinator = new Node(url.group(1), url.group(2) == null ? 5432 : Integer.parseInt(url.group(2)));
        String name = ("widgets_test_" + label + "_" + ProcessHandle.current().pid() + "_" + SEQUENCE.incrementAndGet())
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9_]", "_");
        try {
            List<Node> workers = new ArrayList<>();
            try (Connection c = DriverManager.getConnection(coordinator.url(url.group(3), params));
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT nodename, nodeport FROM pg_dist_node"
                            + " WHERE groupid <> 0 AND noderole = 'primary' AND isactive ORDER BY nodeid")) {
                while (rs.next()) {
                    workers.add(new Node(rs.getString(1), rs.getInt(2)));
                }
            }
            if (workers.isEmpty()) {
                throw new IllegalStateException(
                        "The Citus coordinator at " + coordinator + " has no active workers (pg_dist_node)");
            }
            List<Node> all = new ArrayList<>(workers);
            all.add(0, coordinator);
            for (Node node : all) {
                execute(node.url(url.group(3), params), "CREATE DATABASE " + name);
                execute(node.url(name, params), "CREATE EXTENSION citus");
            }
            registerDrop(name, all, url.group(3), params);
            List<String> setUp = new ArrayList<>();
            setUp.add("SELECT citus_set_coordinator_host('" + coordinator.host + "', " + coordinator.port + ")");
            for (Node worker : workers) {
                setUp.add("SELECT citus_add_node('" + worker.host + "', " + worker.port + ")");
            }
            execute(coordinator.url(name, params), setUp.toArray(String[]::new));
            return coordinator.url(name, params);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "Could not create a test database on the Citus cluster at " + coordinator + ": " + e.getMessage(),
                    e);
        }
    }

    /**
     * The command-line arguments that point another application (another replica, the command-line job) at the very
     * database the given test context uses.
     */
    public static List<String> sameDatabaseArgs(Environment environment) {
        String url = environment.getProperty("spring.datasource.url");
        if (url != null && !url.isBlank()) {
            return List.of("--spring.datasource.url=" + url);
        }
        return List.of(
                "--widgets.embedded.data-dir=" + environment.getProperty("widgets.embedded.data-dir"),
                "--widgets.embedded.durable=false");
    }

    /**
     * The arguments that give a separate application a database of its own: a fresh one on Citus, else an embedded
     * server in {@code embeddedDir}.
     */
    public static List<String> ownDatabaseArgs(String label, java.nio.file.Path embeddedDir) {
        if (onCitus()) {
            return List.of("--spring.datasource.url=" + freshCitusDatabase(label));
        }
        return List.of("--widgets.embedded.data-dir=" + embeddedDir, "--widgets.embedded.durable=false");
    }

    private static void registerDrop(String name, List<Node> nodes, String maintenance, String params) {
        CREATED.put(name, new Created(nodes, maintenance, params));
    }

    private static void dropAll() {
        CREATED.forEach((name, created) -> {
            for (Node node : created.nodes) {
                try {
                    execute(
                            node.url(created.maintenance, created.params),
                            "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
                } catch (SQLException e) {
                    log.warn("Could not drop test database {} on {}: {}", name, node, e.getMessage());
                }
            }
        });
    }

    /** A database this JVM created, and where to connect to drop it. */
    private record Created(List<Node> nodes, String maintenance, String params) {}

    private static void execute(String url, String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    private record Node(String host, int port) {
        String url(String database, String params) {
            return "jdbc:postgresql://" + host + ":" + port + "/" + database + params;
        }

        @Override
        public String toString() {
            return host + ":" + port;
        }
    }
}
