package com.widgets.ingest.rewire;

import com.widgets.db.ChunkRun;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStream;
import org.springframework.batch.infrastructure.item.ItemWriter;

/**
 * Writes a chunk of lines in apply mode. The store commits the chunk's wiring changes — in one transaction, or in parts
 * when its widgets are busy — and with each part, in the same transaction, its rejects and how far the job got
 * ({@link CommittedLines}). The counts also join the step's execution context with the reader's position.
 *
 * <p>A big chunk whose two halves touch no row in common ({@link Halves}) is written by two connections at once, the
 * second half's commits held back until the first half's are done (see {@link SecondWriter#write}). Any other chunk
 * is written through a {@link ChunkRun}, which reads the widgets of the next chunk — read ahead from the file — while
 * this one is written, on a connection the job holds a slot for ({@link SecondWriter#takeSlot}) while it reads ahead.
 */
class ChunkWriter implements ItemWriter<FileLine>, ItemStream {

    private static final Logger log = LoggerFactory.getLogger(ChunkWriter.class);

    static final String READ = "rewiring.read";
    static final String APPLIED = "rewiring.applied";
    static final String UNCHANGED = "rewiring.unchanged";
    static final String REJECTED = "rewiring.rejected";

    private final LineJudge judge;
    private final RejectStore rejects;
    private final CommittedLines committed;
    private final RewiringProgress progress;
    private final RewiringFileReader reader;
    private final SecondWriter second;
    private final long jobId;
    private final int chunkSize;
    private ChunkRun run;
    /** Whether this job holds a slot for its read-ahead connection. */
    private boolean readAheadSlot;

    private CommittedLines.Position position = CommittedLines.Position.START;

    ChunkWriter(
            LineJudge judge,
            RejectStore rejects,
            CommittedLines committed,
            RewiringProgress progress,
            RewiringFileReader reader,
            SecondWriter second,
            long jobId,
            int chunkSize) {
        this.judge = judge;
        this.rejects = rejects;
        this.committed = committed;
        this.progress = progress;
        this.reader = reader;
        this.second = second;
        this.jobId = jobId;
        this.chunkSize = chunkSize;
    }

    @Override
    public void open(ExecutionContext context) {
        position = committed.of(jobId);
        progress.update(jobId, position.counts(), reader.totalLines());
        run = judge.run();
    }

    @Override
    public void write(Chunk<? extends FileLine> chunk) {
        List<FileLine> lines = uncommitted(chunk.getItems());
        if (lines.isEmpty()) {
            return;
        }
        Parts parts = new Parts(position, reader.totalLines());
        Halves halves = second.enabled() ? Halves.of(lines) : null;
        if (halves == null || !second.write(halves, judge, parts, jobId)) {
            List<FileLine> next = List.of();
            if (readAheadSlot || (readAheadSlot = second.takeSlot())) {
                next = uncommitted(reader.readAhead(chunkSize));
                if (second.enabled() && Halves.of(next) != null) {
                    next = List.of(); // two writers will take it, each reading its half
                }
            }
            judge.apply(lines, parts, run, next);
            if (next.isEmpty()) {
                freeReadAheadSlot();
            }
        }
        position = parts.last();
    }

    private void freeReadAheadSlot() {
        if (readAheadSlot) {
            readAheadSlot = false;
            second.freeSlot();
        }
    }

    /** The lines after those committed before a restart. */
    private List<FileLine> uncommitted(List<? extends FileLine> chunk) {
        List<FileLine> lines = new ArrayList<>(chunk.size());
        for (FileLine line : chunk) {
            if (line.number() > position.lastLine()) {
                lines.add(line);
            }
        }
        return lines;
    }

    @Override
    public void update(ExecutionContext context) {
        putCounts(context, position.counts());
    }

    @Override
    public void close() {
        if (run != null) {
            log.debug(
                    "Job {}: {} chunks started from a read made while the chunk before was written",
                    jobId,
                    run.chunksReadAhead());
            run.close();
            run = null;
        }
        freeReadAheadSlot();
        progress.finished(jobId);
    }

    static Counts countsIn(ExecutionContext context) {
        return new Counts(
                context.getLong(READ, 0L),
                context.getLong(APPLIED, 0L),
                context.getLong(UNCHANGED, 0L),
                context.getLong(REJECTED, 0L));
    }

    static void putCounts(ExecutionContext context, Counts counts) {
        context.putLong(READ, counts.read());
        context.putLong(APPLIED, counts.applied());
        context.putLong(UNCHANGED, counts.unchanged());
        context.putLong(REJECTED, counts.rejected());
    }

    /**
     * Keeps the verdicts of a chunk's parts, each inside its part's transaction, on whichever writer's thread. A part
     * may be recorded more than once (an attempt that rolled back, then a retry or its halves), so it builds on the
     * position the part before it committed, never on the latest recorded.
     */
    private final class Parts implements LineJudge.Recorder {
        private final NavigableMap<Long, CommittedLines.Position> before = new ConcurrentSkipListMap<>();
        /** Read on the job's thread: the reader is step-scoped, which a second writer's thread is not. */
        private final long totalLines;

        Parts(CommittedLines.Position start, long totalLines) {
            before.put(start.lastLine(), start);
            this.totalLines = totalLines;
        }

        @Override
        public void record(long firstLine, LineJudge.Verdict part) {
            CommittedLines.Position base = before.floorEntry(firstLine - 1).getValue();
            CommittedLines.Position after =
                    new CommittedLines.Position(part.lastLine(), base.counts().plus(part.counts()));
            rejects.add(jobId, part.rejects());
            committed.save(jobId, after);
            before.put(part.lastLine(), after);
            progress.update(jobId, after.counts(), totalLines);
        }

        CommittedLines.Position last() {
            return before.lastEntry().getValue();
        }
    }
}
