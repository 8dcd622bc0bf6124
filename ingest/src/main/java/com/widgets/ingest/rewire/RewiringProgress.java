package com.widgets.ingest.rewire;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Live counts of the jobs running in this process, for status between commits (and for whole-file modes), and which
 * jobs this process has taken on and not yet ended — running, or waiting for a free slot.
 */
class RewiringProgress {

    record Live(Counts counts, long totalLines) {}

    private final Map<Long, Live> running = new ConcurrentHashMap<>();
    private final Set<Long> local = ConcurrentHashMap.newKeySet();
    /** Executions that ended here, so that an accept which comes later (a job that ended at once) is ignored. */
    private final Set<Long> endedExecutions = ConcurrentHashMap.newKeySet();

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
    }

    Live get(long jobId) {
        return running.get(jobId);
    }

    void finished(long jobId) {
        running.remove(jobId);
    }
}
