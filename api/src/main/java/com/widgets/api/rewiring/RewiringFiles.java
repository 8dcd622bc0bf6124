package com.widgets.api.rewiring;

import com.widgets.api.system.ApiError;
import com.widgets.api.system.InvalidInput;
import com.widgets.ingest.rewire.FileCheck;
import com.widgets.ingest.rewire.IngestProperties;
import com.widgets.ingest.rewire.RefusedFile;
import com.widgets.ingest.rewire.RewiringJobs;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.util.FileSystemUtils;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.multipart.MultipartHttpServletRequest;

/**
 * Where rewiring files live on the server: uploads are streamed into a directory of their own under {@code
 * widgets.rewiring.upload-dir}, first among the {@link PartialUploads partial ones} and moved into place once complete
 * and checked (kept there while a job may still need them, see {@link UploadSweeper}), and {@code startRewiring} may
 * only run complete files inside the upload directory, the inbox or {@code widgets.rewiring.allowed-dirs} — never any
 * other file.
 */
@Component
class RewiringFiles {

    private static final Logger log = LoggerFactory.getLogger(RewiringFiles.class);

    private static final int MAX_NAME = 200;

    private final Path uploads;
    private final PartialUploads partials;
    private final List<Path> allowed = new ArrayList<>();
    private final long maxDecompressed;
    private final AtomicInteger spooling = new AtomicInteger();

    RewiringFiles(RewiringSettings settings, IngestProperties ingest, PartialUploads partials) throws IOException {
        this.partials = partials;
        this.maxDecompressed = ingest.maxDecompressedSize().toBytes();
        this.uploads =
                Files.createDirectories(settings.uploadDir()).toAbsolutePath().normalize();
        allowed.add(uploads);
        if (ingest.inbox() != null) {
            allowed.add(ingest.inbox().toAbsolutePath().normalize());
        }
        for (Path dir : settings.allowedDirs()) {
            allowed.add(dir.toAbsolutePath().normalize());
        }
    }

    /** The directory uploads go to, one directory of their own each. */
    Path uploads() {
        return uploads;
    }

    /**
     * Writes an upload's bytes to disk as they arrive, as a partial upload; the returned file keeps the (cleaned) name
     * it was sent as, and is {@link #publish published} once checked. A disk with no room left is {@code
     * STORAGE_FULL}, and nothing of the upload is kept.
     */
    Path store(String fileName, InputStream body) throws IOException {
        Path file = newUpload(fileName);
        try (body) {
            Files.copy(body, file);
        } catch (IOException | RuntimeException e) {
            discard(file);
            if (outOfSpace(e)) {
                throw storageFull();
            }
            throw e;
        }
        return file;
    }

    /**
     * Moves a multipart upload, already spooled to disk by the container among the partial uploads, into a partial
     * upload's place (a rename: the same disk); as above when it has no room.
     */
    Path store(String fileName, MultipartFile part) throws IOException {
        Path file = newUpload(fileName);
        try {
            part.transferTo(file.toFile());
        } catch (IOException | RuntimeException e) {
            discard(file);
            if (outOfSpace(e)) {
                throw storageFull();
            }
            throw e;
        }
        return file;
    }

    /**
     * Renames a complete, checked upload to its final place, where jobs, the sweeper and {@code startRewiring} see it:
     * the last step before its job starts (the job reads it at once, on a thread of its own).
     */
    Path publish(Path partial) throws IOException {
        try {
            return partials.publish(partial, uploads);
        } catch (IOException | RuntimeException e) {
            discard(partial);
            throw e;
        }
    }

    /**
     * One multipart upload, from the container's parsing of its part to the part's move into place: while it lasts,
     * {@link Spooling#part} makes sure the spool exists and, when the part did not fit on the disk, deletes what the
     * container left of it (it keeps a part it could not finish writing) unless another multipart upload is under way
     * (then the sweeper deletes it, {@link PartialUploads#OWN_LEFTOVER} later).
     */
    Spooling spooling() {
        spooling.incrementAndGet();
        return new Spooling();
    }

    final class Spooling implements AutoCloseable {

        private boolean open = true;

        MultipartFile part(MultipartHttpServletRequest multipart, String name) throws IOException {
            try {
                partials.spool();
                return multipart.getFile(name);
            } catch (IOException | MultipartException e) {
                if (outOfSpace(e)) {
                    if (spooling.get() == 1) {
                        partials.deleteSpoolLeftovers();
                    }
                    throw storageFull();
                }
                throw e;
            }
        }

        @Override
        public void close() {
            if (open) {
                open = false;
                spooling.decrementAndGet();
            }
        }
    }

    /**
     * Whether a failure to write is the disk's having no room left (ENOSPC, or a quota), as the operating system
     * words it: "No space left on device" on Linux and macOS, "There is not enough space on the disk" on Windows.
     */
    static boolean outOfSpace(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(java.util.Locale.ROOT);
            if (message.contains("no space left")
                    || message.contains("not enough space")
                    || message.contains("disk quota exceeded")) {
                return true;
            }
        }
        return false;
    }

    static ApiError storageFull() {
        log.warn("An upload did not fit on the disk of the upload directory; refused with STORAGE_FULL");
        return new ApiError(
                ApiError.Code.STORAGE_FULL,
                "The server has no room left on its disk for this upload; nothing of it was kept. Try again later, or"
                        + " ask an operator to free space for uploads (widgets.rewiring.upload-dir).");
    }

    /**
     * Refuses a file no job could read ({@link FileCheck}) before a job exists, with one log line; a refused upload
     * is deleted.
     */
    void check(Path file, boolean upload) {
        try {
            FileCheck.check(file, maxDecompressed);
        } catch (RefusedFile e) {
            if (upload) {
                discard(file);
            }
            log.info(
                    "Refused {} {}: {} {}",
                    upload ? "the upload" : "to run",
                    file.getFileName(),
                    e.code(),
                    e.getMessage());
            throw e;
        }
    }

    /** Removes an upload that will not run (empty, say). */
    void discard(Path file) {
        try {
            FileSystemUtils.deleteRecursively(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path newUpload(String fileName) throws IOException {
        try {
            return partials.newUpload(fileName);
        } catch (IOException e) {
            if (outOfSpace(e)) {
                throw storageFull();
            }
            throw e;
        }
    }

    /**
     * The name a client gave its file, reduced to its last path segment and safe characters; refused, naming {@code
     * field}, when it is missing or not a format a job reads.
     */
    static String fileName(String field, String given) {
        if (given == null || given.isBlank()) {
            throw new InvalidInput(
                    field, "is required: the file's name, ending in .csv, .ndjson or .jsonl (optionally .gz)");
        }
        String name = given.strip();
        name = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
        name = name.replaceAll("[^A-Za-z0-9._-]", "_");
        if (name.length() > MAX_NAME) {
            name = name.substring(name.length() - MAX_NAME);
        }
        if (name.startsWith(".")) {
            name = "_" + name.substring(1);
        }
        if (!RewiringJobs.isRewiringFile(name)) {
            throw new InvalidInput(
                    field, "'" + given + "' is not a rewiring file: use .csv, .ndjson or .jsonl, optionally with .gz");
        }
        return name;
    }

    /**
     * The file at {@code given}, which must be an absolute path to a rewiring file inside one of the allowed
     * directories (symbolic links followed); anything else is refused naming {@code field}, without telling whether a
     * file outside them exists.
     */
    Path allowed(String field, String given) {
        if (given == null || given.isBlank()) {
            throw new InvalidInput(field, "is required");
        }
        Path path;
        try {
            path = Path.of(given.strip());
        } catch (InvalidPathException e) {
            throw new InvalidInput(field, "is not a valid path");
        }
        if (!path.isAbsolute()) {
            throw new InvalidInput(field, "must be an absolute path on the server");
        }
        path = path.normalize();
        Path root = rootOf(path);
        if (root == null) {
            throw outside(field);
        }
        if (isPartial(path)) {
            throw partial(field);
        }
        Path real;
        try {
            real = path.toRealPath();
            if (!Files.isRegularFile(real) || rootOf(real) == null) {
                throw outside(field);
            }
            if (isPartial(real)) {
                throw partial(field);
            }
        } catch (IOException e) {
            throw new InvalidInput(field, "names no file: '" + path.getFileName() + "' does not exist there");
        }
        fileName(field, real.getFileName().toString());
        return real;
    }

    private Path rootOf(Path path) {
        for (Path root : allowed) {
            if (path.startsWith(root)) {
                return root;
            }
            try {
                if (Files.exists(root) && path.startsWith(root.toRealPath())) {
                    return root;
                }
            } catch (IOException e) {
                // an allowed directory that cannot be resolved allows nothing
            }
        }
        return null;
    }

    private boolean isPartial(Path path) {
        Path root = partials.root();
        try {
            return path.startsWith(root) || (Files.exists(root) && path.startsWith(root.toRealPath()));
        } catch (IOException e) {
            return true;
        }
    }

    private static InvalidInput partial(String field) {
        return new InvalidInput(
                field,
                "names an upload that is still arriving, or was cut off: only complete uploads run; upload the file"
                        + " again with POST /rewiring/jobs");
    }

    private InvalidInput outside(String field) {
        // The directories are not named: no answer shows a path on the server.
        return new InvalidInput(
                field,
                "must name a file inside one of the directories rewiring files may be run from (the upload"
                        + " directory, the inbox or widgets.rewiring.allowed-dirs); upload other files with POST"
                        + " /rewiring/jobs");
    }
}
