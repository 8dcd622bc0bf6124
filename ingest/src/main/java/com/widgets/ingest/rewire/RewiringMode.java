package com.widgets.ingest.rewire;

import java.util.Locale;

/** How a rewiring job applies its file. */
public enum RewiringMode {
    /** Apply every line that passes the rules, chunk by chunk; rejected lines are reported and skipped. */
    APPLY,
    /** Report exactly what {@link #APPLY} would do, and change nothing. */
    DRY_RUN,
    /** All or nothing: one rejected line and nothing is applied. */
    ATOMIC;

    /** Reads {@code apply}, {@code dry-run} or {@code atomic} (case-insensitive; {@code DRY_RUN} works too). */
    public static RewiringMode of(String text) {
        if (text == null || text.isBlank()) {
            return APPLY;
        }
        String name = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (RewiringMode mode : values()) {
            if (mode.name().equals(name)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("mode must be apply, dry-run or atomic, not '" + text + "'");
    }

    /** The spelling used on the command line and in job parameters: {@code apply}, {@code dry-run}, {@code atomic}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
