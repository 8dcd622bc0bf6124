package com.widgets.ingest.rewire;

import com.widgets.db.ErrorCode;
import com.widgets.db.WiringException;
import com.widgets.ingest.export.StateExport;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;

/**
 * Starts, watches, stops and restarts rewiring jobs, and serves their reject reports: the one door the API, the inbox
 * pickup and the command line use. A job's id is stable across restarts.
 */
public class RewiringJobs {

    private static final Logger log = LoggerFactory.getLogger(RewiringJobs.class);

    private final JobOperator operator;
    private final JobRepository repository;
    private final Job job;
    private final RejectStore rejects;
    private final RewiringProgress progress;
    private final IngestProperties settings;
    private final StateExport export;
    private final JobIndex index;
    private final StopMarks stops;
    private final JobHolders holders;

    RewiringJobs(
            JobOperator operator,
            JobRepository repository,
            Job job,
            RejectStore rejects,
            RewiringProgress progress,
            IngestProperties settings,
            StateExport export,
            JobIndex index,
            StopMarks stops,
            JobHolders holders) {
        this.operator = operator;
        this.repository = repository;
        this.job = job;
        this.rejects = rejects;
        this.progress = progress;
        this.settings = settings;
        this.export = export;
        this.index = index;
        this.stops = stops;
        this.holders = holders;
    }

    /** Whether a file of this name is one a job can read: {@code .csv}, {@code .ndjson} or {@code .jsonl}, optionally {@code .gz}. */
    public static boolean isRewiringFile(String fileName) {
        try {
            LineParser.isCsv(fileName);
            return true;
        } catch (LineParser.HeaderException e) {
            return false;
        }
    }

    /** Starts a job on a file; returns its id at once while it runs on its own thread. */
    public long submit(Path file, RewiringMode mode) {
        return submit(file, mode, settings.actor());
    }

    /** Starts a job whose history rows name {@code actor}. */
    public long submit(Path file, RewiringMode mode, String actor) {
        JobParameters parameters = new JobParametersBuilder()
                .addString(
                        RewiringJobConfiguration.FILE,
                        file.toAbsolutePath().normalize().toString())
                .addString(RewiringJobConfiguration.MODE, mode.label())
                .addString(RewiringJobConfiguration.STAMP, stamp(file))
                .addString(
                        RewiringJobConfiguration.SUBMISSION, UUID.randomUUID().toString())
                .addString(RewiringJobConfiguration.ACTOR, actor, false)
                .toJobParameters();
        try {
            JobExecution execution = operator.start(job, parameters);
            if (execution.isRunning()) { // running or waiting for a free slot; ended by the job's listener
                accepted(execution);
            }
            log.info(
                    "Rewiring job {} started on {} ({})",
                    execution.getJobInstance().getInstanceId(),
                    file.getFileName(),
                    mode);
            return execution.getJobInstance().getInstanceId();
        } catch (Exception e) {
            throw new IllegalStateException(
                    "Could not start a rewiring job on " + file.getFileName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Resumes the last job on this file if it is an unfinished apply-mode job on the same contents (same size and
     * modification time) — failed, stopped, or left running by a process that died (say, kill -9) — or starts a new
     * one. Dry-run and atomic jobs commit nothing midway, so they simply start again. For the command line, where
     * nobody else runs the same file at the same time.
     */
    public long submitOrResume(Path file, RewiringMode mode) {
        String path = file.toAbsolutePath().normalize().toString();
        for (JobInstance instance : repository.getJobInstances(RewiringJobConfiguration.JOB, 0, 100)) {
            JobExecution last = repository.getLastJobExecution(instance);
            if (last == null || !path.equals(last.getJobParameters().getString(RewiringJobConfiguration.FILE))) {
                continue;
            }
            boolean sameRun = mode == RewiringMode.APPLY
                    && mode.label().equals(last.getJobParameters().getString(RewiringJobConfiguration.MODE))
                    && stamp(file).equals(last.getJobParameters().getString(RewiringJobConfiguration.STAMP));
            if (!sameRun || last.getStatus() == BatchStatus.COMPLETED || last.getStatus() == BatchStatus.ABANDONED) {
                break; // the last job on this file finished, or ran other contents or another mode: start afresh
            }
            restart(instance.getInstanceId(), true);
            return instance.getInstanceId();
        }
        return submit(file, mode);
    }

    /**
     * Which of these files no job needs any more: the latest job on it completed (or was abandoned), or it failed or
     * stopped more than {@code keepRestartable} before {@code now} — until then it can still be restarted — or no job
     * ever ran it and it (a file or a directory) was last modified before that. A file with a job that is waiting,
     * running or stopping is kept.
     */
    public Set<Path> finishedWith(Collection<Path> files, Duration keepRestartable, Instant now) {
        Map<String, Path> byName = new HashMap<>();
        for (Path file : files) {
            byName.put(file.toAbsolutePath().normalize().toString(), file);
        }
        Instant before = now.minus(keepRestartable);
        Map<String, JobIndex.FileRuns> runs = index.fileRuns(byName.keySet());
        Set<Path> done = new HashSet<>();
        byName.forEach((name, file) -> {
            JobIndex.FileRuns run = runs.get(name);
            if (run == null) {
                if (modifiedBefore(file, before)) {
                    done.add(file);
                }
                return;
            }
            if (run.live()) {
                return;
            }
            boolean over = run.latest() == BatchStatus.COMPLETED || run.latest() == BatchStatus.ABANDONED;
            Instant ended = run.endedAt() == null ? null : JobViews.instant(run.endedAt());
            if (over || (ended != null && ended.isBefore(before))) {
                done.add(file);
            }
        });
        return done;
    }

    private static boolean modifiedBefore(Path file, Instant time) {
        try {
            return Files.getLastModifiedTime(file).toInstant().isBefore(time);
        } catch (IOException e) {
            return false;
        }
    }

    /** This process runs the execution, or holds it until a slot frees up: other replicas are told so. */
    private void accepted(JobExecution execution) {
        long id = execution.getJobInstance().getInstanceId();
        if (progress.accepted(id, execution.getId())) {
            holders.hold(id); // a row left by a job that ended meanwhile goes at the next beat
            if (progress.isClosing()) {
                stopForShutdown(id); // an upload that was still in flight as the shutdown began
            }
        }
    }

    /**
     * Asks every job this process runs or holds waiting to stop at its next chunk boundary, marked as stopped by a
     * shutdown (not a job someone asked to stop already), and stops recovering other processes' jobs; returns their ids.
     */
    List<Long> stopForShutdown() {
        progress.closing();
        List<Long> stopping = new ArrayList<>();
        for (long id : progress.held()) {
            if (stopForShutdown(id)) {
                stopping.add(id);
            }
        }
        return stopping;
    }

    private boolean stopForShutdown(long id) {
        JobExecution last = lastExecution(id);
        if (last == null || !last.isRunning() || last.getStatus() == BatchStatus.STOPPING) {
            return false;
        }
        // As stop(id) does, only the job execution is marked; the mark survives a process that dies before the job
        // reached its chunk boundary, and the job's own writes keep it (ExecutionUpdateRetry). False when the job
        // ended, or someone stopped it, since it was read.
        return stops.stopping(last.getId(), ShutdownStop.MARK);
    }

    /** Takes on and recovers jobs again after {@link #stopForShutdown()} (the context started again). */
    void reopen() {
        progress.open();
    }

    /** Waits until this process runs and holds no job any more. */
    void awaitNoneHeld() {
        try {
            while (!progress.held().isEmpty()) {
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Tells one version of a file from another: its size and modification time. */
    private static String stamp(Path file) {
        try {
            return Files.size(file) + ":" + Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return "unreadable";
        }
    }

    public Optional<RewiringJob> status(long id) {
        JobInstance instance = repository.getJobInstance(id);
        if (instance == null || !RewiringJobConfiguration.JOB.equals(instance.getJobName())) {
            return Optional.empty();
        }
        List<JobExecution> executions = repository.getJobExecutions(instance);
        if (executions.isEmpty()) {
            return Optional.empty();
        }
        // A job being taken over from a dead process shows as failed (recovered) until its next run is written; the
        // holder that claimed it tells that from a job that failed.
        boolean resuming = executions.stream()
                                .max(Comparator.comparingLong(JobExecution::getId))
                                .orElseThrow()
                                .getStatus()
                        == BatchStatus.FAILED
                && holders.isHeld(id);
        return Optional.of(JobViews.of(id, executions, progress.get(id), resuming));
    }

    /** The latest jobs, newest first. */
    public List<RewiringJob> list(int max) {
        List<RewiringJob> jobs = new ArrayList<>();
        for (JobInstance instance : repository.getJobInstances(RewiringJobConfiguration.JOB, 0, max)) {
            status(instance.getInstanceId()).ifPresent(jobs::add);
        }
        return jobs;
    }

    /**
     * A page of jobs, newest first: up to {@code max} with ids below {@code beforeId} (from the newest when null), only
     * those whose status is {@code status} when it is given. Pass the last id of a page to get the next one.
     */
    public List<RewiringJob> list(Long beforeId, int max, RewiringStatus status) {
        List<RewiringJob> jobs = new ArrayList<>();
        for (long id : index.ids(beforeId, max, status)) {
            status(id).ifPresent(jobs::add);
        }
        return jobs;
    }

    /**
     * Asks a running job to stop after its current chunk; false if it was not running. A job whose process died is
     * marked stopped at once, so that no replica resumes it until it is restarted; so is one stopped, or stopping, for
     * its service's shutdown, which would otherwise resume at the next start.
     */
    public boolean stop(long id) {
        // Each mark lands only while the execution is as read; when it moved on meanwhile (it ended, or a process
        // resumed it), it is read again. Each turn follows a write of the job's own, so a few suffice.
        for (int attempt = 0; attempt < 5; attempt++) {
            JobExecution last = lastExecution(id);
            if (last != null
                    && ShutdownStop.marks(last)
                    && (last.getStatus() == BatchStatus.STOPPED || last.getStatus() == BatchStatus.STOPPING)) {
                // stopped, or stopping, for a shutdown and so to be resumed: now stopped on purpose, it stays stopped
                if (stops.keepStopped(last.getId())) {
                    log.info(
                            "Rewiring job {}, {} for its service's shutdown, stays stopped",
                            id,
                            last.getStatus() == BatchStatus.STOPPED ? "stopped" : "stopping");
                    return true;
                }
                continue;
            }
            if (last == null || !last.isRunning()) {
                return false;
            }
            if (!progress.isLocal(id) && recoverIfDead(id, true)) {
                return true;
            }
            // Only the job execution is marked: the running step sees it at its next chunk boundary and stops there.
            // JobOperator.stop would also write back the step execution context as a copy read earlier has it,
            // overwriting the reader position of chunks committed since, which would apply them twice on restart.
            if (last.getStatus() == BatchStatus.STOPPING || stops.stopping(last.getId(), null)) {
                log.info("Rewiring job {} asked to stop", id);
                return true;
            }
        }
        throw new WiringException(
                ErrorCode.BUSY, "Rewiring job " + id + " changed state at every attempt to stop it; try again.");
    }

    /**
     * Restarts a failed or stopped job where its last committed chunk ended, or resumes there one whose process died;
     * the id stays the same.
     */
    public long restart(long id) {
        return restart(id, false);
    }

    private long restart(long id, boolean assumeDead) {
        JobExecution last = lastExecution(id);
        if (last == null) {
            throw new IllegalArgumentException("There is no rewiring job " + id + ".");
        }
        try {
            if (last.isRunning()) {
                if (progress.get(id) != null || progress.isLocal(id)) {
                    throw new IllegalStateException("Rewiring job " + id
                            + " is still running or waiting to run; stop it before restarting it.");
                }
                if (!assumeDead) {
                    // Another replica's job counts as alive while that replica says so, however long it runs or
                    // waits; a job that has just started may not have its holder row yet, so it is alive too.
                    if (!recoverIfDead(id, false)) {
                        throw new IllegalStateException("Rewiring job " + id
                                + " is still running or waiting to run on another replica; stop it before"
                                + " restarting it.");
                    }
                    return id;
                }
                log.warn("Rewiring job {} was left running by a process that ended; recovering it", id);
                last = operator.recover(last);
            }
            if (last.getStatus() == BatchStatus.UNKNOWN) {
                last = unknownAsFailed(last);
            }
            JobExecution next = operator.restart(last);
            if (next.isRunning()) {
                accepted(next);
            }
            log.info("Rewiring job {} restarted (execution {})", id, next.getId());
            return id;
        } catch (IllegalStateException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("Could not restart rewiring job " + id + ": " + e.getMessage(), e);
        }
    }

    /**
     * Spring Batch leaves a run UNKNOWN when it could not record a step's end, and will not restart it ("manual
     * intervention"). Our steps commit their position with their wiring changes — a chunk's committed lines
     * ({@code rewiring_job_progress}), an atomic write's {@link WholeFileTasklet#WRITTEN} mark — so resuming after
     * the last commit is exact: the run is recorded FAILED, keeping its steps' descriptions, and restarted as a failed
     * run is.
     */
    private JobExecution unknownAsFailed(JobExecution last) {
        log.warn(
                "Rewiring job {} ended UNKNOWN; recording it FAILED to resume it after its last committed chunk",
                last.getJobInstance().getInstanceId());
        for (StepExecution step : last.getStepExecutions()) {
            if (step.getStatus() == BatchStatus.UNKNOWN || step.getStatus().isRunning()) {
                RewiringJobConfiguration.recordFailed(
                        repository, step, step.getExitStatus().getExitDescription());
            }
        }
        last.setStatus(BatchStatus.FAILED);
        last.setExitStatus(
                ExitStatus.FAILED.addExitDescription(last.getExitStatus().getExitDescription()));
        repository.update(last);
        return last;
    }

    /**
     * Resumes, from its last committed chunk, every job whose process died — or marks it stopped when a stop was asked
     * before it died — and returns their ids. Each replica may call this as often as it likes: a job is taken over by
     * one process only (a check-and-set on its holder row).
     */
    public List<Long> recoverDeadJobs() {
        List<Long> recovered = new ArrayList<>();
        if (progress.isClosing()) {
            return recovered; // the jobs would only be stopped again
        }
        for (long id : index.unheld(holders.deadBefore(), holders.name(), null)) {
            try {
                if (!progress.isLocal(id) && recoverIfDead(id, false)) {
                    recovered.add(id);
                }
            } catch (RuntimeException e) {
                log.warn(e.getMessage()); // it stays failed, as a restart that failed leaves it
            }
        }
        return recovered;
    }

    /**
     * Takes the job over when its process died, and resumes it — or stops it, when {@code stop} is set or a stop was
     * asked before the process died. False when the job is alive, or another process took it over first.
     */
    private boolean recoverIfDead(long id, boolean stop) {
        OffsetDateTime deadBefore = holders.deadBefore();
        if (index.unheld(deadBefore, holders.name(), id).isEmpty() || !holders.claim(id, deadBefore)) {
            return false;
        }
        progress.recovering(id); // the beat now keeps the claimed row fresh
        boolean running = false;
        try {
            JobExecution last = lastExecution(id); // again: it may have ended just before the claim
            boolean stoppedByShutdown = last != null && ShutdownStop.marks(last);
            if (last == null || !(last.isRunning() || (stoppedByShutdown && last.getStatus() == BatchStatus.STOPPED))) {
                return false;
            }
            // A stop someone asked for before the process died holds; one its shutdown asked for does not.
            stop |= last.getStatus() == BatchStatus.STOPPING && !stoppedByShutdown;
            if (last.isRunning()) {
                log.warn(
                        "Rewiring job {} was left {} by a process that ended; {} it",
                        id,
                        last.getStatus() == BatchStatus.STARTING ? "waiting" : "running",
                        stop ? "stopping" : "resuming");
                last = operator.recover(last); // its steps and itself FAILED, the reader's position kept
            } else {
                log.info("Rewiring job {} was stopped by its service's shutdown; resuming it", id);
            }
            if (stop) {
                last.setStatus(BatchStatus.STOPPED);
                last.setExitStatus(ExitStatus.STOPPED.addExitDescription("Stopped after its process ended."));
                repository.update(last);
                return true;
            }
            JobExecution next = operator.restart(last);
            running = next.isRunning();
            if (running) {
                accepted(next);
            }
            log.info("Rewiring job {} resumed (execution {})", id, next.getId());
            return true;
        } catch (Exception e) {
            throw new IllegalStateException("Could not recover rewiring job " + id + ": " + e.getMessage(), e);
        } finally {
            if (!running) {
                progress.notRecovered(id);
                holders.release(id);
            }
        }
    }

    /** Why a job failed when the database went away while it ran (its {@code message}). */
    static final String DATABASE_LOST = "The database became unavailable while this job ran; restart it"
            + " (restartRewiring) to resume after its last committed line.";

    /**
     * Ends a job whose run died with the database: Spring Batch could not even record that it failed, so it would
     * show as running for ever and be refused a restart. On the job's own thread, this waits until the database
     * answers again (looking every second) and records the job FAILED with {@link #DATABASE_LOST} — restartable from
     * its last committed chunk, which committed with its wiring changes — then lets it go. If this process shuts down
     * first, the job is left as a job whose process died, which the next start resumes.
     */
    void lostTheDatabase(JobExecution execution, RuntimeException failure) {
        long id = execution.getJobInstance().getInstanceId();
        log.warn(
                "Rewiring job {} stopped: the database became unavailable ({}); it is marked FAILED once the database"
                        + " answers again, and resumes from its last committed chunk when restarted",
                id,
                failure.getMessage());
        try {
            while (!progress.isClosing()) {
                try {
                    JobExecution last = lastExecution(id);
                    if (last != null && last.getId() == execution.getId() && last.isRunning()) {
                        for (StepExecution step : last.getStepExecutions()) {
                            if (step.getStatus().isRunning()) {
                                step.setExitStatus(ExitStatus.FAILED.addExitDescription(DATABASE_LOST));
                            }
                        }
                        last = operator.recover(last);
                        last.setExitStatus(ExitStatus.FAILED.addExitDescription(DATABASE_LOST));
                        repository.update(last);
                        log.info("Rewiring job {} marked FAILED now that the database answers again", id);
                    }
                    return;
                } catch (RuntimeException stillDown) {
                    if (!WiringException.isDatabaseFailure(stillDown)) {
                        log.warn("Rewiring job {} could not be marked FAILED: {}", id, stillDown.getMessage());
                        return;
                    }
                    Thread.sleep(1000);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            progress.finished(id);
            progress.ended(id, execution.getId());
            try {
                holders.release(id);
            } catch (RuntimeException e) {
                // the next beat drops a row of a job this process no longer holds
            }
        }
    }

    /** Waits until the job is no longer pending or running, or the time is up; returns its status then. */
    public RewiringJob await(long id, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            RewiringJob job = status(id).orElseThrow();
            boolean over = job.status() != RewiringStatus.RUNNING && job.status() != RewiringStatus.PENDING;
            if (over || System.nanoTime() > deadline) {
                return job;
            }
            Thread.sleep(50);
        }
    }

    /** Writes the job's reject report: CSV with header {@code line,code,message,raw}, in line order. */
    public void rejects(long id, Writer out) {
        rejects.report(id, out);
    }

    /** The reject report as UTF-8 bytes, streamed (for an HTTP download). */
    public void rejects(long id, OutputStream out) {
        Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
        rejects.report(id, writer);
    }

    /** Streams the current wiring as an importable CSV file: every widget as add, then every link once. */
    public long export(OutputStream out) {
        return export.write(new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8)));
    }

    /** The average wall-clock seconds of the latest {@code max} completed jobs (0 when there are none). */
    public double averageSecondsPerJob(int max) {
        return stats(max).averageSeconds();
    }

    /** How many of the latest {@code max} jobs completed, and their average wall-clock seconds. */
    public RewiringStats stats(int max) {
        double[] seconds = list(max).stream()
                .filter(job -> job.status() == RewiringStatus.COMPLETED && job.endedAt() != null)
                .mapToDouble(
                        job -> Duration.between(job.startedAt(), job.endedAt()).toMillis() / 1000.0)
                .toArray();
        double average = 0;
        for (double s : seconds) {
            average += s / seconds.length;
        }
        return new RewiringStats(seconds.length, average);
    }

    /** How many jobs stand at each status, across every process that shares the database. */
    public Map<RewiringStatus, Long> countByStatus() {
        return index.countByStatus();
    }

    /** Lines the jobs of this process have judged since it started; its rate is the lines per second. */
    public long linesJudged() {
        return progress.linesJudged();
    }

    private JobExecution lastExecution(long id) {
        JobInstance instance = repository.getJobInstance(id);
        return instance == null ? null : repository.getLastJobExecution(instance);
    }
}
