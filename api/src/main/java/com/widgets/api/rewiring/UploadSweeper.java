package com.widgets.api.rewiring;

import com.widgets.ingest.rewire.RewiringJobs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;
import org.springframework.util.FileSystemUtils;

/**
 * Deletes uploads no job needs any more, every {@code widgets.rewiring.upload-sweep-interval}: at once when their job
 * completed, {@code widgets.rewiring.upload-retention} after it failed or stopped (until then it can be restarted), and
 * uploads no job ever ran (a crash between publishing and starting) once they are that old. Uploads of jobs that wait,
 * run or stop are never touched. Partial uploads are not uploads: those of processes that ended go at every sweep
 * ({@link PartialUploads}), those still arriving are never touched.
 */
@Component
class UploadSweeper implements SchedulingConfigurer {

    private static final Logger log = LoggerFactory.getLogger(UploadSweeper.class);

    private final Path uploads;
    private final PartialUploads partials;
    private final RewiringSettings settings;
    private final RewiringJobs jobs;

    UploadSweeper(RewiringFiles files, PartialUploads partials, RewiringSettings settings, RewiringJobs jobs) {
        this.uploads = files.uploads();
        this.partials = partials;
        this.settings = settings;
        this.jobs = jobs;
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        Duration every = settings.uploadSweepInterval();
        registrar.addFixedDelayTask(new FixedDelayTask(this::sweepNow, every, every));
    }

    private void sweepNow() {
        try {
            int deleted = sweep(Instant.now());
            if (deleted > 0) {
                log.info("Deleted {} rewiring upload(s) no job needs any more from {}", deleted, uploads);
            }
        } catch (RuntimeException e) {
            log.warn("Could not sweep the rewiring uploads in {}: {}", uploads, e.getMessage());
        }
    }

    /**
     * Deletes what is no longer needed as of {@code now}; returns how many uploads went, partial ones of processes
     * that ended included.
     */
    int sweep(Instant now) {
        int deleted = partials.deleteAbandoned(now);
        Map<Path, Path> dirOf = new HashMap<>(); // each upload's file, or the directory itself when it holds none
        try (Stream<Path> dirs = Files.list(uploads)) {
            for (Path dir : dirs.filter(Files::isDirectory)
                    .filter(dir -> !dir.equals(partials.root()))
                    .toList()) {
                dirOf.put(onlyFile(dir).orElse(dir), dir);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + uploads + ": " + e.getMessage(), e);
        }
        for (Path done : jobs.finishedWith(dirOf.keySet(), settings.uploadRetention(), now)) {
            deleted += delete(dirOf.get(done));
        }
        return deleted;
    }

    /** The one file an upload directory holds; none when an upload failed half-way and was not cleaned up. */
    private static Optional<Path> onlyFile(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private int delete(Path dir) {
        try {
            FileSystemUtils.deleteRecursively(dir);
            return 1;
        } catch (IOException e) {
            log.warn("Could not delete the rewiring upload {}: {}", dir, e.getMessage());
            return 0;
        }
    }
}
