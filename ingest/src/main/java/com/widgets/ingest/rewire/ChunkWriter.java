package com.widgets.ingest.rewire;

import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStream;
import org.springframework.batch.infrastructure.item.ItemWriter;

/**
 * Writes a chunk of lines in apply mode: the store applies them, the rejects are recorded, and the counts join the
 * step's execution context — all in the chunk's transaction, together with the reader's position.
 */
class ChunkWriter implements ItemWriter<FileLine>, ItemStream {

    static final String READ = "rewiring.read";
    static final String APPLIED = "rewiring.applied";
    static final String UNCHANGED = "rewiring.unchanged";
    static final String REJECTED = "rewiring.rejected";

    private final LineJudge judge;
    private final RejectStore rejects;
    private final RewiringProgress progress;
    private final RewiringFileReader reader;
    private final long jobId;
    private Counts counts = Counts.NONE;

    ChunkWriter(
            LineJudge judge, RejectStore rejects, RewiringProgress progress, RewiringFileReader reader, long jobId) {
        this.judge = judge;
        this.rejects = rejects;
        this.progress = progress;
        this.reader = reader;
        this.jobId = jobId;
    }

    @Override
    public void open(ExecutionContext context) {
        counts = countsIn(context);
        progress.update(jobId, counts, reader.totalLines());
    }

    @Override
    public void write(Chunk<? extends FileLine> chunk) {
        LineJudge.Verdict verdict = judge.judge(chunk.getItems());
        rejects.add(jobId, verdict.rejects());
        counts = counts.plus(verdict.counts());
        progress.update(jobId, counts, reader.totalLines());
    }

    @Override
    public void update(ExecutionContext context) {
        putCounts(context, counts);
    }

    @Override
    public void close() {
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
