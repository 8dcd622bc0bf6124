package com.widgets.ingest.rewire;

import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Keeps the verdicts of an apply-mode job's parts — its rejects, and how far it got ({@link CommittedLines}) — each
 * inside its part's transaction, on whichever writer's thread. A part may be recorded more than once (an attempt that
 * rolled back, then a retry or its pieces), so it builds on the position the part before it committed, never on the
 * latest recorded; parts are recorded in file order, each after the part before it committed.
 */
class PartLog implements LineJudge.Recorder {

    private final RejectStore rejects;
    private final CommittedLines committed;
    private final RewiringProgress progress;
    private final long jobId;
    /** Read on the job's thread: the reader is step-scoped, which a second writer's thread is not. */
    private final long totalLines;
    /** The position after each part recorded, by its last line; those older than the latest base are let go. */
    private final NavigableMap<Long, CommittedLines.Position> after = new ConcurrentSkipListMap<>();

    PartLog(
            CommittedLines.Position start,
            long totalLines,
            RejectStore rejects,
            CommittedLines committed,
            RewiringProgress progress,
            long jobId) {
        this.rejects = rejects;
        this.committed = committed;
        this.progress = progress;
        this.jobId = jobId;
        this.totalLines = totalLines;
        after.put(start.lastLine(), start);
    }

    @Override
    public void record(long firstLine, LineJudge.Verdict part) {
        keep(firstLine, part);
    }

    /** Records the part, in its transaction, and returns the job's position once that transaction commits. */
    CommittedLines.Position keep(long firstLine, LineJudge.Verdict part) {
        Map.Entry<Long, CommittedLines.Position> base = after.floorEntry(firstLine - 1);
        CommittedLines.Position position = new CommittedLines.Position(
                part.lastLine(), base.getValue().counts().plus(part.counts()));
        rejects.add(jobId, part.rejects());
        committed.save(jobId, position);
        after.put(part.lastLine(), position);
        after.headMap(base.getKey(), false).clear();
        progress.update(jobId, position.counts(), totalLines);
        return position;
    }

    /** The position after the last part recorded: committed once the writes that recorded it returned. */
    CommittedLines.Position last() {
        return after.lastEntry().getValue();
    }
}
