package com.widgets.ingest.rewire;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.batch.core.job.JobExecution;

/**
 * Live counts of the jobs running in this process, for status between commits (and for whole-file modes), and which
 * jobs this process has taken on and not yet ended — running, or waiting for a free slot — and how many lines its jobs
 * have judged in all.
 */
class RewiringProgress {

    record Live(Counts counts, long totalLines) {}

    private final Map<Long, Live> running = new ConcurrentHashMap<>();
    private final Set<Long> local = ConcurrentHashMap.newKeySet();
    /** Executions that ended here, so that an accept which comes later (a job that ended at once) is ignored. */
    private final Set<Long> endedExecutions = ConcurrentHashMap.newKeySet();
    /** The most lines each running job had read when last updated here; its first update is where it started. */
    private final Map<Long, Long> readSoFar = new ConcurrentHashMap<>();

    private final AtomicLong linesJudged = new AtomicLong();

    private volatile boolean closing;

    /** The execution a job thread runs, from its start to its end: what a run that died with the database was. */
    private final ThreadLocal<JobExecution> onThisThread = new ThreadLocal<>();

    /** This thread runs this execution now (null: none any more). */
    void runsOnThisThread(JobExecution execution) {
        if (execution == null) {
            onThisThread.remove();
        } else {
            onThisThread.set(execution);
        }
    }

    /** The execution this job thread runs, or null. */
    JobExecution runningOnThisThread() {
        return onThisThread.get();
    }

    /**
     * This process started (or restarted) the job with this execution: it is running or waiting here until {@link
     * #ended}; false when that execution already ended.
     */
    boolean accepted(long jobId, long executionId) {
        if (endedExecutions.contains(executionId)) {
            return false;
        }
        local.add(jobId);
        if (endedExecutions.contains(executionId)) { // ended meanwhile
            local.remove(jobId);
            return false;
        }
        return true;
    }

    /** This process took over a dead process's job and is recovering it: its holder row is kept fresh meanwhile. */
    void recovering(long jobId) {
        local.add(jobId);
    }

    /** The recovery left no execution running here: the job was stopped, or could not be restarted. */
    void notRecovered(long jobId) {
        local.remove(jobId);
    }

    void ended(long jobId, long executionId) {
        endedExecutions.add(executionId);
        local.remove(jobId);
    }

    /** This process shuts down: jobs it takes on from now are stopped at once, and it recovers no more. */
    void closing() {
        closing = true;
    }

    void open() {
        closing = false;
    }

    boolean isClosing() {
        return closing;
    }

    /** The jobs this process runs or holds waiting. */
    Set<Long> held() {
        return Set.copyOf(local);
    }

    /** Whether this process runs the job or holds it waiting for a free slot. */
    boolean isLocal(long jobId) {
        return local.contains(jobId);
    }

    void update(long jobId, Counts counts, long totalLines) {
        running.put(jobId, new Live(counts, totalLines));
        // A part recorded twice (an attempt that rolled back, then its retry) reports the same lines again: count
        // only lines beyond the most seen. A resumed job's first update is the lines an earlier run committed.
        readSoFar.merge(jobId, counts.read(), (before, now) -> {
            if (now > before) {
                linesJudged.addAndGet(now - before);
            }
            return Math.max(before, now);
        });
    }

    /** Lines the jobs of this process have judged since it started (apply, dry-run and atomic alike). */
    long linesJudged() {
        return linesJudged.get();
    }

    Live get(long jobId) {
        return running.get(jobId);
    }

    void finished(long jobId) {
        running.remove(jobId);
        readSoFar.remove(jobId);
    }
}
