package com.widgets.db.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * The embedded server keeps its data across restarts, is shared with another live process using the same directory,
 * and recovers by itself from a JVM killed with -9.
 */
class EmbeddedPostgresServerTest {

    @TempDir
    Path dir;

    private EmbeddedPostgresProperties settings() {
        return new EmbeddedPostgresProperties(dir.resolve("pg"), 0, true, Duration.ofSeconds(60));
    }

    @Test
    void keepsItsDataAcrossARestart() throws Exception {
        EmbeddedPostgresServer first = EmbeddedPostgresServer.acquire(settings());
        try {
            sql(first, "CREATE TABLE kept (n int)", "INSERT INTO kept VALUES (42)");
        } finally {
            first.release();
        }

        EmbeddedPostgresServer second = EmbeddedPostgresServer.acquire(settings());
        try {
            assertThat(query(second, "SELECT n FROM kept")).containsExactly("42");
        } finally {
            second.release();
        }
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void writesInitdbAndServerOutputToALogFileNextToTheData(CapturedOutput console) throws Exception {
        EmbeddedPostgresServer server = EmbeddedPostgresServer.acquire(settings());
        try {
            sql(server, "SELECT * FROM no_such_table_by_design");
        } catch (SQLException expected) {
            // The server logs the failed statement as an ERROR: in its log, not on the console.
        } finally {
            server.release();
        }
        String serverLog = Files.readString(dir.resolve("pg.log"));
        assertThat(serverLog)
                .contains("Success. You can now start the database server")
                .contains("no_such_table_by_design");
        assertThat(console.getAll())
                .doesNotContain("Success. You can now start the database server")
                .doesNotContain("no_such_table_by_design")
                .contains(dir.resolve("pg.log").toString());
    }

    @Test
    void writesItsChangedPagesBeforeAskingTheServerToStop() throws Exception {
        EmbeddedPostgresServer server = EmbeddedPostgresServer.acquire(settings());
        try {
            sql(
                    server,
                    "CREATE TABLE dirty AS SELECT g AS n, repeat('x', 200) AS pad FROM generate_series(1, 20000) g");
        } finally {
            server.release();
        }
        // PostgreSQL logs each checkpoint (log_checkpoints is on by default): ours, asked for and waited on, comes
        // before the stop request, so the shutdown's own checkpoint has next to nothing left to write
        String serverLog = Files.readString(dir.resolve("pg.log"));
        int ours = serverLog.lastIndexOf("checkpoint starting: immediate force wait");
        int stop = serverLog.lastIndexOf("received fast shutdown request");
        assertThat(ours).isPositive();
        assertThat(stop).isGreaterThan(ours);
        assertThat(serverLog.substring(ours, stop)).contains("checkpoint complete");
    }

    @Test
    void runsDurablyWithFsyncAndSynchronousCommit() throws Exception {
        EmbeddedPostgresServer server = EmbeddedPostgresServer.acquire(settings());
        try {
            assertThat(query(server, "SHOW fsync")).containsExactly("on");
            assertThat(query(server, "SHOW synchronous_commit")).containsExactly("on");
            assertThat(query(server, "SELECT current_setting('server_version_num')::int / 10000"))
                    .containsExactly("17");
            // the default sized for this machine, in MB as PostgreSQL holds it (pages of 8kB)
            assertThat(query(
                            server,
                            "SELECT setting::bigint * 8192 / 1048576 || 'MB' FROM pg_settings"
                                    + " WHERE name = 'shared_buffers'"))
                    .containsExactly(EmbeddedPostgresServer.defaultSharedBuffers());
        } finally {
            server.release();
        }
    }

    @Test
    void sizesSharedBuffersToAQuarterOfTheMachineWithinBounds() {
        long gib = 1024L * 1024 * 1024;
        assertThat(EmbeddedPostgresServer.sharedBuffers(24 * gib, false)).isEqualTo("6144MB");
        assertThat(EmbeddedPostgresServer.sharedBuffers(2 * gib, false)).isEqualTo("512MB");
        assertThat(EmbeddedPostgresServer.sharedBuffers(gib / 4, false)).isEqualTo("128MB"); // at least 128MB
        assertThat(EmbeddedPostgresServer.sharedBuffers(256 * gib, false)).isEqualTo("8192MB"); // at most 8GB
        assertThat(EmbeddedPostgresServer.sharedBuffers(0, false)).isEqualTo("512MB"); // memory unknown
        assertThat(EmbeddedPostgresServer.sharedBuffers(24 * gib, true)).isEqualTo("512MB"); // Windows as before
    }

    @Test
    void takesServerSettingsOverItsDefaults() throws Exception {
        EmbeddedPostgresProperties tuned = new EmbeddedPostgresProperties(
                dir.resolve("pg"),
                0,
                true,
                Duration.ofSeconds(60),
                Map.of("shared-buffers", "64MB", "max_wal_size", "1GB", "work_mem", "8MB"));
        EmbeddedPostgresServer server = EmbeddedPostgresServer.acquire(tuned);
        try {
            assertThat(query(server, "SHOW shared_buffers")).containsExactly("64MB");
            assertThat(query(server, "SHOW max_wal_size")).containsExactly("1GB");
            assertThat(query(server, "SHOW work_mem")).containsExactly("8MB");
            assertThat(query(server, "SHOW checkpoint_timeout")).containsExactly("30min"); // default kept
            assertThat(query(server, "SHOW fsync")).containsExactly("on");
        } finally {
            server.release();
        }
    }

    @Test
    void bindsServerSettingsFromPropertiesWithDashedOrBracketedNames() {
        MapConfigurationPropertySource source = new MapConfigurationPropertySource(Map.of(
                "widgets.embedded.data-dir", dir.toString(),
                "widgets.embedded.server-settings.shared-buffers", "2GB",
                "widgets.embedded.server-settings[work_mem]", "8MB"));
        EmbeddedPostgresProperties bound = new Binder(source)
                .bind("widgets.embedded", EmbeddedPostgresProperties.class)
                .get();
        assertThat(bound.serverSettings())
                .containsExactly(Map.entry("shared_buffers", "2GB"), Map.entry("work_mem", "8MB"));
        assertThat(bound.durable()).isTrue();
        assertThat(bound.startupTimeout()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void refusesServerSettingsThatWouldUndoDurabilityOrAreNoSettingNames() {
        assertThatThrownBy(() ->
                        new EmbeddedPostgresProperties(dir, 0, true, Duration.ofSeconds(60), Map.of("fsync", "off")))
                .hasMessageContaining("widgets.embedded.durable");
        assertThatThrownBy(() -> new EmbeddedPostgresProperties(
                        dir, 0, true, Duration.ofSeconds(60), Map.of("shared buffers; x", "1")))
                .hasMessageContaining("is not a PostgreSQL setting name");
        assertThatThrownBy(() ->
                        new EmbeddedPostgresProperties(dir, 0, true, Duration.ofSeconds(60), Map.of("work_mem", " ")))
                .hasMessageContaining("needs a value");
    }

    @Test
    void sharesOneServerPerDirectoryUntilTheLastHolderLeaves() throws Exception {
        EmbeddedPostgresServer a = EmbeddedPostgresServer.acquire(settings());
        EmbeddedPostgresServer b = EmbeddedPostgresServer.acquire(settings());
        assertThat(b).isSameAs(a);
        a.release();
        assertThat(query(b, "SELECT 1")).containsExactly("1");
        b.release();
        assertThat(Files.exists(settings().dataDir().resolve("postmaster.pid"))).isFalse();
    }

    @Test
    void recoversTheOrphanedServerOfAJvmKilledWithSigkill() throws Exception {
        Path data = settings().dataDir();
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        CrashingHolder.class.getName(),
                        data.toString())
                .redirectErrorStream(true)
                .start();
        List<String> output = new ArrayList<>();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.equals("READY")) {
                output.add(line);
            }
            assertThat(line).as("child output: %s", output).isEqualTo("READY");

            // While its owner lives, a second process joins the server instead of stopping it.
            EmbeddedPostgresServer joined = EmbeddedPostgresServer.acquire(settings());
            assertThat(query(joined, "SELECT note FROM survivor")).containsExactly("committed before kill -9");
            joined.release();
            assertThat(query(joined, "SELECT count(*) FROM survivor")).containsExactly("1");

            child.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        long orphanPid = Long.parseLong(
                Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
        Optional<ProcessHandle> orphan = ProcessHandle.of(orphanPid);
        assertThat(orphan)
                .as("the postmaster outlives its JVM")
                .hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());

        EmbeddedPostgresServer restarted = EmbeddedPostgresServer.acquire(settings());
        try {
            assertThat(query(restarted, "SELECT note FROM survivor")).containsExactly("committed before kill -9");
            assertThat(orphan.get().isAlive()).isFalse();
        } finally {
            restarted.release();
        }
    }

    private static void sql(EmbeddedPostgresServer server, String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl());
                Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    private static List<String> query(EmbeddedPostgresServer server, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(server.jdbcUrl());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }
}
