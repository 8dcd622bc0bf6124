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

    /** This process started (or restarted) the job: it is running or waiting here until {@link #ended}. */
    void accepted(long jobId) {
        local.add(jobId);
    }

    void ended(long jobId) {
        local.remove(jobId);
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
