package com.widgets.ingest.rewire;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Live counts of the jobs running in this process, for status between commits (and for whole-file modes). */
class RewiringProgress {

    record Live(Counts counts, long totalLines) {}

    private final Map<Long, Live> running = new ConcurrentHashMap<>();

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
