package com.widgets.ingest.rewire;

import com.widgets.db.ChunkRun;
import com.widgets.db.DryRun;
import com.widgets.db.OpOutcome;
import com.widgets.db.WiringOp;
import com.widgets.db.WiringStore;
import java.util.ArrayList;
import java.util.List;

/** Hands a chunk's readable lines to the store's chunk API and sorts every line into applied, unchanged or rejected. */
class LineJudge {

    /** The counts and rejected lines (in line order) of a run of consecutive lines ending at {@code lastLine}. */
    record Verdict(Counts counts, List<Reject> rejects, long lastLine) {}

    /**
     * Keeps a part's verdict; runs inside the transaction that commits the part's wiring changes, and again for the
     * same lines when that transaction rolled back and they are tried again.
     */
    @FunctionalInterface
    interface Recorder {
        /** @param firstLine the line number of the part's first line */
        void record(long firstLine, Verdict part);

        /** See {@link WiringStore.PartRecorder#lockingRows}. */
        default void lockingRows() {}
    }

    private final WiringStore store;

    LineJudge(WiringStore store) {
        this.store = store;
    }

    /**
     * Applies the lines, committing them in one or more parts (see {@link WiringStore#applyChunkInParts}); each part's
     * verdict — every line from the end of the previous part to its last operation, unreadable ones included — goes to
     * {@code recorder} inside that part's transaction.
     */
    void apply(List<? extends FileLine> lines, Recorder recorder) {
        apply(lines, recorder, null, List.of());
    }

    /**
     * As {@link #apply(List, Recorder)}, through {@code run} when not null: the widgets of {@code next}, the lines the
     * caller applies next, are read while these are written.
     */
    void apply(List<? extends FileLine> lines, Recorder recorder, ChunkRun run, List<? extends FileLine> next) {
        Ops ops = Ops.of(lines);
        WiringStore.PartRecorder parts = new WiringStore.PartRecorder() {
            @Override
            public void record(int from, List<OpOutcome> outcomes) {
                int to = from + outcomes.size();
                int firstLine = from == 0 ? 0 : ops.lineOf.get(from - 1) + 1;
                int endLine = to == ops.ops.size() ? lines.size() : ops.lineOf.get(to - 1) + 1;
                recorder.record(lines.get(firstLine).number(), verdict(lines.subList(firstLine, endLine), outcomes));
            }

            @Override
            public void lockingRows() {
                recorder.lockingRows();
            }
        };
        if (run == null) {
            store.applyChunkInParts(ops.ops, parts);
        } else {
            run.applyInParts(ops.ops, Ops.of(next).ops, parts);
        }
    }

    /** A run of chunks to apply one after the other (see {@link ChunkRun}); the caller closes it. */
    ChunkRun run() {
        return store.chunkRun();
    }

    /** Applies the lines inside the caller's transaction (an atomic job's one transaction). */
    Verdict applyInCallerTransaction(List<? extends FileLine> lines) {
        return verdict(lines, store.applyChunk(Ops.of(lines).ops));
    }

    /** Judges the lines as if the chunks this dry run judged before had been applied; writes nothing. */
    Verdict judge(List<? extends FileLine> lines, DryRun dryRun) {
        return verdict(lines, dryRun.judge(Ops.of(lines).ops));
    }

    /** The lines' verdict, given the outcomes of their readable lines in order. */
    private static Verdict verdict(List<? extends FileLine> lines, List<OpOutcome> outcomes) {
        List<Reject> rejects = new ArrayList<>();
        long applied = 0, unchanged = 0;
        int next = 0;
        for (FileLine line : lines) {
            if (line.op() == null) {
                rejects.add(new Reject(line.number(), Reject.MALFORMED_LINE, line.problem(), line.raw()));
                continue;
            }
            OpOutcome outcome = outcomes.get(next++);
            switch (outcome.result()) {
                case CHANGED -> applied++;
                case UNCHANGED -> unchanged++;
                case REJECTED ->
                    rejects.add(new Reject(line.number(), outcome.code().name(), outcome.message(), line.raw()));
            }
        }
        long last = lines.isEmpty() ? 0 : lines.get(lines.size() - 1).number();
        return new Verdict(new Counts(lines.size(), applied, unchanged, rejects.size()), rejects, last);
    }

    /** The readable lines' operations, and for each the index of its line. */
    private record Ops(List<WiringOp> ops, List<Integer> lineOf) {
        static Ops of(List<? extends FileLine> lines) {
            List<WiringOp> ops = new ArrayList<>(lines.size());
            List<Integer> lineOf = new ArrayList<>(lines.size());
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).op() != null) {
                    ops.add(lines.get(i).op());
                    lineOf.add(i);
                }
            }
            return new Ops(ops, lineOf);
        }
    }
}
