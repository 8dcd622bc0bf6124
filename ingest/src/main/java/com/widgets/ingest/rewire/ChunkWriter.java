package com.widgets.ingest.rewire;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStream;
import org.springframework.batch.infrastructure.item.ItemWriter;

/**
 * Writes a chunk of lines in apply mode. The store commits the chunk's wiring changes — in one transaction, or in parts
 * when its widgets are busy — and with each part, in the same transaction, its rejects and how far the job got
 * ({@link CommittedLines}). The counts also join the step's execution context with the reader's position.
 */
class ChunkWriter implements ItemWriter<FileLine>, ItemStream {

    static final String READ = "rewiring.read";
    static final String APPLIED = "rewiring.applied";
    static final String UNCHANGED = "rewiring.unchanged";
    static final String REJECTED = "rewiring.rejected";

    private final LineJudge judge;
    private final RejectStore rejects;
    private final CommittedLines committed;
    private final RewiringProgress progress;
    private final RewiringFileReader reader;
    private final long jobId;
    private CommittedLines.Position position = CommittedLines.Position.START;

    ChunkWriter(
            LineJudge judge,
            RejectStore rejects,
            CommittedLines committed,
            RewiringProgress progress,
            RewiringFileReader reader,
            long jobId) {
        this.judge = judge;
        this.rejects = rejects;
        this.committed = committed;
        this.progress = progress;
        this.reader = reader;
        this.jobId = jobId;
    }

    @Override
    public void open(ExecutionContext context) {
        position = committed.of(jobId);
        progress.update(jobId, position.counts(), reader.totalLines());
    }

    @Override
    public void write(Chunk<? extends FileLine> chunk) {
        List<FileLine> lines = new ArrayList<>(chunk.size());
        for (FileLine line : chunk.getItems()) {
            if (line.number() > position.lastLine()) { // earlier ones committed before a restart
                lines.add(line);
            }
        }
        if (lines.isEmpty()) {
            return;
        }
        // Where each part starts: a part may be recorded more than once (an attempt that rolled back, then a retry or
        // its halves), so it builds on the position the part before it committed, never on the latest recorded.
        NavigableMap<Long, CommittedLines.Position> before = new TreeMap<>();
        before.put(position.lastLine(), position);
        judge.apply(lines, (firstLine, part) -> {
            CommittedLines.Position base = before.floorEntry(firstLine - 1).getValue();
            CommittedLines.Position after =
                    new CommittedLines.Position(part.lastLine(), base.counts().plus(part.counts()));
            rejects.add(jobId, part.rejects());
            committed.save(jobId, after);
            before.put(part.lastLine(), after);
            progress.update(jobId, after.counts(), reader.totalLines());
        });
        position = before.lastEntry().getValue();
    }

    @Override
    public void update(ExecutionContext context) {
        putCounts(context, position.counts());
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
