package com.widgets.ingest.rewire;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/** Turns a job's Spring Batch executions (and its live counts, while it runs here) into the {@link RewiringJob} view. */
final class JobViews {

    private JobViews() {}

    /**
     * @param resuming the latest execution failed only because a process that took the job over from a dead one
     *     recovered it, and is starting its next run
     */
    static RewiringJob of(long id, List<JobExecution> executions, RewiringProgress.Live live, boolean resuming) {
        List<JobExecution> sorted = new ArrayList<>(executions);
        sorted.sort(Comparator.comparingLong(JobExecution::getId));
        // The newest step execution that wrote counts holds them: a restart after a crash between the step's end and
        // the job's may run no step at all, and a restarted step is written before the counts it carries on from.
        StepExecution newest = null;
        StepExecution counted = null;
        for (JobExecution execution : sorted) {
            for (StepExecution candidate : execution.getStepExecutions()) {
                if (newest == null || candidate.getId() > newest.getId()) {
                    newest = candidate;
                }
                boolean hasCounts = candidate.getExecutionContext().containsKey(ChunkWriter.READ);
                if (hasCounts && (counted == null || candidate.getId() > counted.getId())) {
                    counted = candidate;
                }
            }
        }
        StepExecution step = counted != null ? counted : newest;
        return view(id, sorted.get(0), sorted.get(sorted.size() - 1), step, live, resuming);
    }

    private static RewiringJob view(
            long id,
            JobExecution first,
            JobExecution last,
            StepExecution step,
            RewiringProgress.Live live,
            boolean resuming) {
        JobParameters parameters = last.getJobParameters();
        String file = parameters.getString(RewiringJobConfiguration.FILE);
        Counts counts = Counts.NONE;
        Long total = null;
        if (step != null) {
            ExecutionContext context = step.getExecutionContext();
            counts = ChunkWriter.countsIn(context);
            if (context.containsKey(RewiringFileReader.TOTAL)) {
                total = context.getLong(RewiringFileReader.TOTAL);
            }
        }
        boolean running = last.isRunning() || resuming;
        if (live != null && running) {
            counts = live.counts();
            total = live.totalLines();
        }
        Instant started = instant(first.getStartTime());
        Instant ended = running ? null : instant(last.getEndTime());
        Instant lastStart = instant(last.getStartTime());
        Double rate = null;
        if (lastStart != null) {
            double seconds = Duration.between(lastStart, ended == null ? Instant.now() : ended)
                            .toNanos()
                    / 1e9;
            rate = seconds > 0 ? counts.read() / seconds : null;
        }
        Double secondsLeft = null;
        if (running && rate != null && rate > 0 && total != null) {
            secondsLeft = Math.max(0, total - counts.read()) / rate;
        }
        String message = null;
        if (status(last) == RewiringStatus.FAILED && !resuming) { // FAILED, and UNKNOWN or ABANDONED shown as failed
            message = failure(last);
        } else if (last.getStatus() == BatchStatus.STOPPED && ShutdownStop.marks(last)) {
            message = ShutdownStop.MARK;
        }
        return new RewiringJob(
                id,
                resuming ? RewiringStatus.RUNNING : status(last),
                RewiringMode.of(parameters.getString(RewiringJobConfiguration.MODE)),
                file == null ? null : Path.of(file).getFileName().toString(),
                counts,
                total,
                rate,
                secondsLeft,
                started,
                ended,
                message);
    }

    private static String failure(JobExecution execution) {
        String exit = execution.getExitStatus().getExitDescription();
        if (exit != null && exit.contains(RewiringJobs.DATABASE_LOST)) {
            // recorded on purpose over Spring Batch's own failure ("Unable to process chunk"), which a run still in
            // this process's memory also carries
            return RewiringJobs.DATABASE_LOST;
        }
        List<Throwable> failures = execution.getAllFailureExceptions();
        if (!failures.isEmpty()) {
            return failures.get(0).getMessage();
        }
        for (StepExecution step : execution.getStepExecutions()) {
            String description = step.getExitStatus().getExitDescription();
            if (description != null && !description.isBlank()) {
                return firstLine(description);
            }
        }
        return firstLine(execution.getExitStatus().getExitDescription());
    }

    private static String firstLine(String text) {
        if (text == null) {
            return null;
        }
        String line = text.lines().findFirst().orElse("");
        int colon = line.indexOf(": ");
        String before = colon > 0 ? line.substring(0, colon) : "";
        // Drops an exception's class name ("a.b.SomeException: why"), not the start of a sentence naming a file.
        return before.contains(".") && !before.contains(" ") ? line.substring(colon + 2) : line;
    }

    private static RewiringStatus status(JobExecution execution) {
        return status(execution.getStatus());
    }

    static RewiringStatus status(BatchStatus status) {
        return switch (status) {
            case STARTING -> RewiringStatus.PENDING;
            case STARTED, STOPPING -> RewiringStatus.RUNNING;
            case COMPLETED -> RewiringStatus.COMPLETED;
            case STOPPED -> RewiringStatus.STOPPED;
            default -> RewiringStatus.FAILED;
        };
    }

    static Instant instant(LocalDateTime time) {
        return time == null ? null : time.atZone(ZoneId.systemDefault()).toInstant();
    }
}
