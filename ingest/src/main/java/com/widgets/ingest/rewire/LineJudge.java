package com.widgets.ingest.rewire;

import com.widgets.db.OpOutcome;
import com.widgets.db.WiringOp;
import com.widgets.db.WiringStore;
import java.util.ArrayList;
import java.util.List;

/** Hands a chunk's readable lines to the store's chunk API and sorts every line into applied, unchanged or rejected. */
class LineJudge {

    /** A chunk's counts and its rejected lines, in line order. */
    record Verdict(Counts counts, List<Reject> rejects) {}

    private final WiringStore store;

    LineJudge(WiringStore store) {
        this.store = store;
    }

    Verdict judge(List<? extends FileLine> lines) {
        List<WiringOp> ops = new ArrayList<>(lines.size());
        for (FileLine line : lines) {
            if (line.op() != null) {
                ops.add(line.op());
            }
        }
        List<OpOutcome> outcomes = store.applyChunk(ops, false);
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
        return new Verdict(new Counts(lines.size(), applied, unchanged, rejects.size()), rejects);
    }
}
