package com.widgets.bench.data;

import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * What each line of the rewiring mix does to the rows, as the generator knew it when writing the line: which lines
 * the job must reject, and which rows each other line reads or writes — its ports' rows ({@code widget × 3 + port}),
 * the widget's own row for an add or a remove, and for a remove also the rows of the peers it unlinks. The mix's
 * set-based bound uses it to apply a batch of lines in dependency order without reading anything first: two lines
 * that touch a common row keep their order, all others may be written together.
 */
public final class MixPlan {

    private final BitSet rejects;
    private final int[] start;
    private final int[] rows;

    private MixPlan(BitSet rejects, int[] start, int[] rows) {
        this.rejects = rejects;
        this.start = start;
        this.rows = rows;
    }

    /** The key of widget {@code w}'s own row, apart from its ports' keys (which are ≥ 0). */
    static int widget(int w) {
        return -(w + 1);
    }

    /** Whether the mix's data line {@code line} (0 for the first line after the header) is one the job rejects. */
    public boolean rejected(int line) {
        return rejects.get(line);
    }

    /**
     * The layer of each data line in {@code [from, to)}: 0 for a line that touches no row an earlier line of the range
     * touched, otherwise one more than the highest layer among those earlier lines; -1 for a rejected line (it writes
     * nothing). Writing the range layer by layer, each layer's lines in any order or split, ends as writing it line by
     * line.
     */
    public int[] layers(int from, int to) {
        int[] layer = new int[to - from];
        Map<Integer, Integer> last = new HashMap<>();
        for (int line = from; line < to; line++) {
            if (rejects.get(line)) {
                layer[line - from] = -1;
                continue;
            }
            int mine = 0;
            for (int i = start[line]; i < start[line + 1]; i++) {
                Integer before = last.get(rows[i]);
                if (before != null) {
                    mine = Math.max(mine, before + 1);
                }
            }
            for (int i = start[line]; i < start[line + 1]; i++) {
                last.put(rows[i], mine);
            }
            layer[line - from] = mine;
        }
        return layer;
    }

    /** Collects the plan line by line, as the generator writes the mix. */
    static final class Builder {
        private final BitSet rejects = new BitSet();
        private final int[] start;
        private int[] rows;
        private int line, size;

        Builder(int lines) {
            this.start = new int[lines + 1];
            this.rows = new int[lines * 3];
        }

        void reject() {
            rejects.set(line);
            next();
        }

        void touches(int a, int b) {
            add(a);
            add(b);
            next();
        }

        void touches(int widget, int[] ends) {
            add(widget);
            for (int end : ends) {
                add(end);
            }
            next();
        }

        private void add(int row) {
            if (size == rows.length) {
                rows = Arrays.copyOf(rows, rows.length * 2);
            }
            rows[size++] = row;
        }

        private void next() {
            start[++line] = size;
        }

        MixPlan build() {
            if (line != start.length - 1) {
                throw new IllegalStateException("the plan has " + line + " of " + (start.length - 1) + " lines");
            }
            return new MixPlan(rejects, start, Arrays.copyOf(rows, size));
        }
    }
}
