package com.widgets.db.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server running from a data directory that survives restarts, shared by every user in this JVM.
 *
 * <p>Spring test contexts and the service's own context may ask for the same directory several times; the server
 * starts on the first {@link #acquire} and stops when the last holder calls {@link #release}.
 */
public final class EmbeddedPostgresServer {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    private static final Map<Path, EmbeddedPostgresServer> running = new HashMap<>();

    private final Path dataDir;
    /** The server this JVM started and stops; null when it joined one another live process runs. */
    private final EmbeddedPostgres postgres;

    private final int port;
    private int holders;

    private EmbeddedPostgresServer(Path dataDir, EmbeddedPostgres postgres, int port) {
        this.dataDir = dataDir;
        this.postgres = postgres;
        this.port = port;
    }

    /** Starts the server for these settings, or joins the one already running from the same directory. */
    public static synchronized EmbeddedPostgresServer acquire(EmbeddedPostgresProperties settings) {
        Path dir = settings.dataDir().toAbsolutePath().normalize();
        EmbeddedPostgresServer server = running.get(dir);
        if (server == null) {
            server = startOrJoin(dir, settings);
            running.put(dir, server);
        }
        server.holders++;
        return server;
    }

    /** Gives up one hold; the last one stops the server cleanly (a fast shutdown: committed data is on disk). */
    public void release() {
        synchronized (EmbeddedPostgresServer.class) {
            if (--holders > 0) {
                return;
            }
            running.remove(dataDir);
        }
        if (postgres == null) {
            return; // another process's server: it stops it
        }
        checkpoint();
        try {
            postgres.close();
            log.info("Embedded PostgreSQL in {} stopped", dataDir);
        } catch (IOException e) {
            log.warn("Embedded PostgreSQL in {} did not stop cleanly: {}", dataDir, e.getMessage());
        }
    }

    /**
     * Writes every changed page to disk before the server is asked to stop. A server stops with a checkpoint of its
     * own, but the library gives it 5 seconds and then leaves it running: with shared buffers sized to the machine
     * (gigabytes of changed pages after a rewiring job) that shutdown outlived this JVM, and the next start waited for
     * the orphaned server to finish it — 19.8 s to the first answered request after a 10M-widget run, where 6 s is
     * usual. Checkpointing first, for as long as it takes, leaves the shutdown next to nothing to write.
     */
    private void checkpoint() {
        long t0 = System.nanoTime();
        log.info("Writing the embedded PostgreSQL's changed pages to disk before it stops (a checkpoint)");
        try (Connection c = DriverManager.getConnection(jdbcUrl());
                Statement s = c.createStatement()) {
            s.execute("CHECKPOINT");
            log.info("Checkpoint done in {} ms", (System.nanoTime() - t0) / 1_000_000);
        } catch (SQLException e) {
            log.warn("Could not checkpoint the embedded PostgreSQL before stopping it: {}", e.getMessage());
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port + "/postgres?user=postgres";
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /**
     * Joins the server when another live process (the service, say, while the command-line job runs) holds the
     * directory; otherwise stops a postmaster orphaned by a killed JVM, and starts the server.
     */
    private static EmbeddedPostgresServer startOrJoin(Path dir, EmbeddedPostgresProperties settings) {
        try {
            Files.createDirectories(dir);
            OptionalInt live = OrphanedPostmaster.portOfLiveOwner(dir);
            if (live.isPresent()) {
                log.info("Joining the PostgreSQL another process runs from {} on port {}", dir, live.getAsInt());
                return new EmbeddedPostgresServer(dir, null, live.getAsInt());
            }
            EmbeddedPostgres postgres = start(dir, settings);
            return new EmbeddedPostgresServer(dir, postgres, postgres.getPort());
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL in " + dir, e);
        }
    }

    private static EmbeddedPostgres start(Path dir, EmbeddedPostgresProperties settings) {
        try {
            OrphanedPostmaster.stopIfRunning(dir, settings.startupTimeout());
            // initdb's and the server's own output go to a file next to the data (initdb needs an empty directory):
            // on the console they were pages of INFO at first start, and statements that fail by design (Liquibase
            // probing for its lock table) printed as ERROR lines though nothing was wrong.
            ProcessBuilder.Redirect serverLog =
                    ProcessBuilder.Redirect.appendTo(serverLog(dir).toFile());
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setOutputRedirector(serverLog)
                    .setErrorRedirector(serverLog)
                    .setDataDirectory(dir)
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(false)
                    .setPort(settings.port())
                    .setPGStartupWait(settings.startupTimeout())
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("listen_addresses", "localhost")
                    // Random check-and-set updates touch pages all over the port table and the history index. With
                    // the stock 1GB max_wal_size a rewiring job forced a checkpoint every few chunks, and after each
                    // one the first change to a page writes its full 8kB image to the WAL: 115MB of WAL per 10,000
                    // link lines, most of it page images. Rarer checkpoints cut that several times over;
                    // full_page_writes and fsync stay on, so crash safety is unchanged. wal_compression stays off
                    // (PostgreSQL's default): this build only has pglz, which took 5x longer to write a 10,000-row
                    // update full of page images (720 vs 125 ms) and halved a rewiring job's rate at 10M widgets.
                    .setServerConfig("max_wal_size", "8GB")
                    .setServerConfig("checkpoint_timeout", "30min")
                    .setServerConfig("shared_buffers", defaultSharedBuffers());
            if (settings.durable()) {
                // zonky passes -F (fsync off) and synchronous_commit=off; later -c options win.
                builder.setServerConfig("fsync", "on")
                        .setServerConfig("synchronous_commit", "on")
                        .setServerConfig("full_page_writes", "on");
            }
            settings.serverSettings().forEach(builder::setServerConfig); // the user's own, over the defaults above
            EmbeddedPostgres postgres = builder.start();
            log.info(
                    "Embedded PostgreSQL running from {} at {} (durable: {}; its log: {})",
                    dir,
                    postgres.getJdbcUrl("postgres", "postgres"),
                    settings.durable(),
                    serverLog(dir));
            return postgres;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Could not start the embedded PostgreSQL in " + dir + "; its output is in " + serverLog(dir), e);
        }
    }

    /**
     * The default {@code shared_buffers}: a quarter of the machine's memory ({@code machineBytes}; 0 when unknown), at
     * least 128MB and at most 8GB; 512MB on Windows or when the memory is unknown. A rewiring job changes ports all
     * over the port table and its indexes: with 10M widgets (an 18GB database) and the former fixed 512MB every
     * backend evicted a dirty page to the OS cache and read another back for most rows it touched — on a 2M-line mix
     * 10.4M page reads and 7M page writes through system calls, ~250MB/s of writes — and 6GB (a quarter of 24GB) ran
     * the same job 22% faster with no backend write at all ({@code bench/PROFILE.md}). PostgreSQL maps the buffers at
     * start but the machine hands out their memory only as pages are used, so a small database costs what it holds.
     * Windows keeps the old value: PostgreSQL's advice there was long a modest setting, and it was not measured here.
     */
    static String sharedBuffers(long machineBytes, boolean windows) {
        long mb = machineBytes / 4 / (1024 * 1024);
        if (windows || mb <= 0) {
            return "512MB";
        }
        return Math.min(8192, Math.max(128, mb)) + "MB";
    }

    /** {@link #sharedBuffers} for this machine. */
    static String defaultSharedBuffers() {
        return sharedBuffers(machineMemory(), windows());
    }

    /** The machine's memory as the JVM sees it (a container's limit inside one); 0 when it cannot tell. */
    private static long machineMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return 0;
    }

    private static boolean windows() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
    }

    /** The server's log: {@code data/postgres.log} for the data directory {@code data/postgres}. */
    static Path serverLog(Path dataDir) {
        Path absolute = dataDir.toAbsolutePath();
        return absolute.resolveSibling(absolute.getFileName() + ".log");
    }
}
