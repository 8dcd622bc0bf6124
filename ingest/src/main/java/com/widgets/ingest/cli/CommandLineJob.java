package com.widgets.ingest.cli;

import com.widgets.ingest.export.StateExport;
import com.widgets.ingest.rewire.RewiringJob;
import com.widgets.ingest.rewire.RewiringJobs;
import com.widgets.ingest.rewire.RewiringMode;
import com.widgets.ingest.rewire.RewiringStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;

/**
 * Runs the command line's one job to its end, showing its progress, writes its reject report, and turns the outcome
 * into an exit code.
 */
@Component
class CommandLineJob {

    private static final Logger log = LoggerFactory.getLogger(CommandLineJob.class);

    private final RewiringJobs jobs;
    private final StateExport export;

    CommandLineJob(RewiringJobs jobs, StateExport export) {
        this.jobs = jobs;
        this.export = export;
    }

    int run(IngestCommandLine.CommandLineRequest request, Progress progress) {
        if (request.export() != null) {
            try (Writer out = Files.newBufferedWriter(request.export(), StandardCharsets.UTF_8)) {
                long lines = export.write(out);
                log.info("Exported the wiring to {}: {} lines", request.export(), lines);
                return IngestCommandLine.OK;
            } catch (IOException | UncheckedIOException | JacksonException e) {
                log.error("Could not export to {}: {}", request.export(), e.getMessage());
                return IngestCommandLine.JOB_FAILED;
            }
        }
        long id = jobs.submitOrResume(request.file(), RewiringMode.of(request.mode()));
        RewiringJob job;
        try {
            do {
                job = jobs.await(id, Duration.ofMillis(250));
                progress.show(job);
            } while (job.status() == RewiringStatus.RUNNING || job.status() == RewiringStatus.PENDING);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            jobs.stop(id);
            return IngestCommandLine.JOB_FAILED;
        }
        boolean reported = report(id, request);
        progress.done(job, reported ? request.rejects() : null);
        if (job.status() != RewiringStatus.COMPLETED) {
            log.error("Rewiring job {} {}: {}", id, job.status(), job.message());
            return IngestCommandLine.JOB_FAILED;
        }
        return reported ? IngestCommandLine.OK : IngestCommandLine.JOB_FAILED;
    }

    /** Writes the job's reject report where the request says (beside the file by default). */
    private boolean report(long id, IngestCommandLine.CommandLineRequest request) {
        try (Writer out = Files.newBufferedWriter(request.rejects(), StandardCharsets.UTF_8)) {
            jobs.rejects(id, out);
            return true;
        } catch (IOException | UncheckedIOException | JacksonException e) {
            log.error("Could not write the reject report {}: {}", request.rejects(), e.getMessage());
            return false;
        }
    }
}
