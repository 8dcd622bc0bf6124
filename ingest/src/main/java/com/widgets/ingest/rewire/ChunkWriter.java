package com.widgets.ingest.rewire;

import com.widgets.db.ChunkRun;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStream;
import org.springframework.batch.infrastructure.item.ItemWriter;

/**
 * Writes a chunk of lines in apply mode. The store commits the chunk's wiring changes — in one transaction, or in parts
 * when its widgets are busy — and with each part, in the same transaction, its rejects and how far the job got
 * ({@link PartLog}, {@link CommittedLines}). The counts also join the step's execution context with the reader's
 * position.
 *
 * <p>A big chunk whose two halves touch no row in common ({@link Halves}) is written by two connections, the second
 * half possibly still being written while the job goes on to the next chunk ({@link TwoWriters}). Any other chunk is
 * written through a {@link ChunkRun}, which reads the widgets of the next chunk — read ahead from the file — while this
 * one is written, on a connection the job holds a slot for ({@link SecondWriter#takeSlot}) while it reads ahead.
 */
class ChunkWriter implements ItemWriter<FileLine>, ItemStream, StepExecutionListener {

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
    private PartLog parts;
    /** This job's two writers; null with one. */
    private TwoWriters pair;
    /** Whether this job holds a slot for its read-ahead connection. */
    private boolean readAheadSlot;

    /** Where the job stood when the step opened: the lines up to it are not written again. */
    private CommittedLines.Position resumed = CommittedLines.Position.START;
    /** Every line up to this position committed, and no half before it is still being written. */
    private CommittedLines.Position settled = CommittedLines.Position.START;

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
        resumed = committed.of(jobId);
        settled = resumed;
        parts = new PartLog(resumed, reader.totalLines(), rejects, committed, progress, jobId);
        progress.update(jobId, resumed.counts(), reader.totalLines());
        run = judge.run();
        pair = second.enabled() ? new TwoWriters(second, judge, parts, jobId) : null;
    }

    @Override
    public void write(Chunk<? extends FileLine> chunk) {
        List<FileLine> lines = uncommitted(chunk.getItems());
        if (lines.isEmpty()) {
            return;
        }
        Halves halves = pair == null ? null : Halves.of(lines);
        CommittedLines.Position written = halves == null ? null : pair.write(halves);
        if (written == null) {
            if (pair != null) {
                pair.finish(); // this chunk may touch what the second writer still writes
            }
            List<FileLine> next = List.of();
            if (readAheadSlot || (readAheadSlot = second.takeSlot())) {
                next = uncommitted(reader.readAhead(chunkSize));
                if (pair != null && Halves.of(next) != null) {
                    next = List.of(); // two writers will take it, each reading its half
                }
            }
            judge.apply(lines, parts, run, next);
            if (next.isEmpty()) {
                freeReadAheadSlot();
            }
            written = parts.last();
        }
        settled = written;
        if (pair != null && pair.writing() && reader.readAhead(1).isEmpty()) {
            settled = pair.finish(); // the file's last chunk: the step ends with all of it written
        }
    }

    /** A step that stops (or fails) with a half still being written waits for it, and keeps the counts it ends with. */
    @Override
    public ExitStatus afterStep(StepExecution step) {
        if (pair != null && pair.writing()) {
            try {
                settled = pair.finish();
            } catch (RuntimeException e) {
                log.warn("Job {}: the last half of the step failed; a restart writes it again", jobId, e);
            }
            putCounts(step.getExecutionContext(), settled.counts());
        }
        return null;
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
            if (line.number() > resumed.lastLine()) {
                lines.add(line);
            }
        }
        return lines;
    }

    @Override
    public void update(ExecutionContext context) {
        putCounts(context, settled.counts());
    }

    @Override
    public void close() {
        if (pair != null) {
            pair.close();
            pair = null;
        }
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
}
