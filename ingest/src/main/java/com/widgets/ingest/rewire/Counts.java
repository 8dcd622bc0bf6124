package com.widgets.ingest.rewire;

/** A job's line counts so far: {@code read = applied + unchanged + rejected}. */
public record Counts(long read, long applied, long unchanged, long rejected) {

    public static final Counts NONE = new Counts(0, 0, 0, 0);

    Counts plus(Counts other) {
        return new Counts(
                read + other.read, applied + other.applied, unchanged + other.unchanged, rejected + other.rejected);
    }
}
