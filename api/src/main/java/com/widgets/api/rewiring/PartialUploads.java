package com.widgets.api.rewiring;

import com.widgets.ingest.rewire.JobHolders;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import org.springframework.util.FileSystemUtils;

/**
 * Uploads still arriving, kept apart from complete ones: each process writes them (and the container spools multipart
 * parts) under {@code <upload-dir>/.partial/<process>/}, on the upload directory's own disk, and a complete, checked
 * upload is renamed into {@code <upload-dir>/<id>/} in one atomic step just before its job starts. So an upload cut off
 * by a killed process is never taken for a real one, and it is deleted at the next start of any replica, or at that
 * replica's next sweep. A process holds a lock on its directory while it lives (the operating system drops it when the
 * process dies, even by {@code kill -9}): a directory whose lock can be taken belongs to no live process.
 */
@Component
class PartialUploads implements DisposableBean {

    /** The directory, under the upload directory, of uploads still arriving: never an upload's own name (a UUID). */
    static final String DIR = ".partial";

    private static final String LOCK = ".lock";

    /** A process directory whose lock cannot be tried (a file system without locks) is left alone this long. */
    private static final Duration STALE = Duration.ofDays(1);

    /**
     * What this process left behind itself, untouched this long, is a leftover: an upload still arriving is written
     * to at least every few seconds, or the web server's read timeout ends it.
     */
    static final Duration OWN_LEFTOVER = Duration.ofHours(1);

    private static final Logger log = LoggerFactory.getLogger(PartialUploads.class);

    private final Path root;
    private final Path mine;
    private final FileChannel lockChannel;

    PartialUploads(RewiringSettings settings) throws IOException {
        Path uploads =
                Files.createDirectories(settings.uploadDir()).toAbsolutePath().normalize();
        this.root = uploads.resolve(DIR);
        this.mine =
                Files.createDirectories(root.resolve(JobHolders.processName().replaceAll("[^A-Za-z0-9._-]", "_")));
        this.lockChannel = lock(mine.resolve(LOCK));
        int deleted = deleteAbandoned(Instant.now());
        if (deleted > 0) {
            log.info("Deleted {} partial upload file(s) left by processes that ended, from {}", deleted, root);
        }
    }

    private static FileChannel lock(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            channel.lock();
        } catch (IOException | UnsupportedOperationException e) {
            log.warn(
                    "The upload directory's file system does not lock files ({}): partial uploads left by a process"
                            + " that ended are deleted only after {} untouched",
                    e.getMessage(),
                    STALE);
        }
        return channel;
    }

    /** Where partial uploads live, in every process: nothing under it is ever a complete upload. */
    Path root() {
        return root;
    }

    /** This process's directory for the container's multipart spool, made again if something removed it. */
    Path spool() throws IOException {
        return Files.createDirectories(mine);
    }

    /** A new upload's file, in a directory of its own that {@link #publish} renames as a whole. */
    Path newUpload(String fileName) throws IOException {
        return Files.createDirectories(mine.resolve(UUID.randomUUID().toString()))
                .resolve(fileName);
    }

    /** Moves a complete upload's directory into {@code uploads} in one atomic rename; returns the file's new path. */
    Path publish(Path partial, Path uploads) throws IOException {
        Path dir = partial.getParent();
        Path target = uploads.resolve(dir.getFileName());
        Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
        return target.resolve(partial.getFileName());
    }

    /**
     * Deletes the multipart parts the container left in this process's spool: it keeps a part it could not finish
     * writing (a full disk). Only for a caller that knows no other multipart upload of this process is under way.
     */
    int deleteSpoolLeftovers() {
        try (Stream<Path> files = Files.list(mine)) {
            int deleted = 0;
            for (Path file : files.filter(Files::isRegularFile)
                    .filter(file -> !file.getFileName().toString().equals(LOCK))
                    .toList()) {
                deleted += Files.deleteIfExists(file) ? 1 : 0;
            }
            return deleted;
        } catch (IOException e) {
            log.warn("Could not delete the multipart parts left in {}: {}", mine, e.getMessage());
            return 0;
        }
    }

    /**
     * Deletes the directories of processes that ended, with all they held, and what this process left behind itself
     * (untouched for {@link #OWN_LEFTOVER} before {@code now}); returns how many files went.
     */
    int deleteAbandoned(Instant now) {
        int deleted = 0;
        try (Stream<Path> own = Files.list(mine)) {
            for (Path left : own.filter(path -> !path.getFileName().toString().equals(LOCK))
                    .toList()) {
                if (untouchedSince(left, now.minus(OWN_LEFTOVER))) {
                    deleted += delete(left);
                }
            }
        } catch (IOException e) {
            // made again at the next upload
        }
        List<Path> dirs;
        try (Stream<Path> entries = Files.list(root)) {
            dirs = entries.filter(dir -> !dir.equals(mine)).toList();
        } catch (NoSuchFileException e) {
            return deleted;
        } catch (IOException e) {
            log.warn("Could not list the partial uploads in {}: {}", root, e.getMessage());
            return deleted;
        }
        for (Path dir : dirs) {
            try (FileChannel channel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.WRITE)) {
                FileLock lock = channel.tryLock();
                if (lock != null) {
                    deleted += delete(dir); // its process is gone: nobody writes there any more
                }
            } catch (OverlappingFileLockException e) {
                // another application context of this very JVM holds it
            } catch (IOException | UnsupportedOperationException e) {
                if (untouchedSince(dir, now.minus(STALE))) {
                    deleted += delete(dir);
                }
            }
        }
        return deleted;
    }

    private static int delete(Path dir) {
        int files = 0;
        try (Stream<Path> all = Files.walk(dir)) {
            files = (int) all.filter(file -> Files.isRegularFile(file)
                            && !file.getFileName().toString().equals(LOCK))
                    .count();
            FileSystemUtils.deleteRecursively(dir);
        } catch (IOException | RuntimeException e) {
            log.warn("Could not delete the partial uploads in {}: {}", dir, e.getMessage());
        }
        return files;
    }

    private static boolean untouchedSince(Path dir, Instant time) {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.allMatch(path -> {
                try {
                    return Files.getLastModifiedTime(path).toInstant().isBefore(time);
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** At a graceful stop every upload has ended: this process's directory goes, and its lock with it. */
    @Override
    public void destroy() throws IOException {
        try {
            FileSystemUtils.deleteRecursively(mine);
        } finally {
            lockChannel.close();
        }
    }
}
