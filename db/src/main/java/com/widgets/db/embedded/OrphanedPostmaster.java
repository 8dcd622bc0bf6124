package com.widgets.db.embedded;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a postmaster still owned by a live JVM (join it) from one left running by a JVM that died without shutting
 * it down (kill -9), and stops the latter.
 *
 * <p>PostgreSQL refuses to start while {@code postmaster.pid} names a live process. Sending the orphan SIGTERM asks for
 * a smart shutdown: its clients died with the JVM, so it checkpoints and exits, and nothing committed is lost.
 */
final class OrphanedPostmaster {

    private static final Logger log = LoggerFactory.getLogger(OrphanedPostmaster.class);

    /** The lock file zonky's EmbeddedPostgres holds in the data directory while its JVM runs the server. */
    private static final String OWNER_LOCK = "epg-lock";

    private OrphanedPostmaster() {}

    /**
     * The port of the server running from this directory when a live process still owns it: zonky holds a file lock
     * on {@code epg-lock} for as long as its JVM runs the server, and the OS drops it when that JVM dies.
     */
    static OptionalInt portOfLiveOwner(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        Path lockFile = dataDir.resolve(OWNER_LOCK);
        if (!Files.exists(pidFile) || !Files.exists(lockFile)) {
            return OptionalInt.empty();
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock != null) {
                lock.release();
                return OptionalInt.empty(); // nobody holds it: an orphan, if anything
            }
        } catch (OverlappingFileLockException e) {
            // held by this very JVM under another path spelling: live, so join it
        }
        List<String> lines = Files.readAllLines(pidFile);
        if (lines.size() < 4 || postmaster(pidFile).isEmpty()) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(Integer.parseInt(lines.get(3).trim()));
    }

    static void stopIfRunning(Path dataDir, Duration timeout) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        Optional<ProcessHandle> orphan = postmaster(pidFile);
        if (orphan.isEmpty()) {
            // A stale file from a machine restart: PostgreSQL itself removes it when the pid is dead.
            log.info("Found a stale {} whose process is gone; PostgreSQL will clear it", pidFile);
            return;
        }
        ProcessHandle process = orphan.get();
        log.warn(
                "Found PostgreSQL (pid {}) still running on {} after an unclean exit; stopping it",
                process.pid(),
                dataDir);
        process.destroy();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (process.isAlive() && System.nanoTime() < deadline) {
            sleep();
        }
        if (process.isAlive()) {
            // Crash recovery replays the WAL on the next start, so committed data still survives.
            log.warn("PostgreSQL (pid {}) did not stop within {}; killing it", process.pid(), timeout);
            process.destroyForcibly();
            while (process.isAlive()) {
                sleep();
            }
        }
        log.info("Stopped the orphaned PostgreSQL (pid {})", process.pid());
    }

    private static Optional<ProcessHandle> postmaster(Path pidFile) throws IOException {
        List<String> lines = Files.readAllLines(pidFile);
        if (lines.isEmpty()) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(lines.get(0).trim());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        // The pid may have been reused by an unrelated process since; only a postgres is ours to stop.
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false));
    }

    private static void sleep() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while stopping an orphaned PostgreSQL", e);
        }
    }
}
