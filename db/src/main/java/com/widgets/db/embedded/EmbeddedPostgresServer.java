package com.widgets.db.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
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
        try {
            postgres.close();
            log.info("Embedded PostgreSQL in {} stopped", dataDir);
        } catch (IOException e) {
            log.warn("Embedded PostgreSQL in {} did not stop cleanly: {}", dataDir, e.getMessage());
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
                    // The port table and its index of a million widgets (~200MB) stay in shared buffers.
                    .setServerConfig("shared_buffers", "512MB");
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

    /** The server's log: {@code data/postgres.log} for the data directory {@code data/postgres}. */
    static Path serverLog(Path dataDir) {
        Path absolute = dataDir.toAbsolutePath();
        return absolute.resolveSibling(absolute.getFileName() + ".log");
    }
}
