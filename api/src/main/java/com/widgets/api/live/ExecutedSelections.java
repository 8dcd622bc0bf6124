package com.widgets.api.live;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * What one change's GraphQL selections came to, by normalized selection: the first subscriber to deliver the change
 * executes a selection, the others with the same selection take its result. Held as long as the change is (while a
 * subscriber still has it to deliver) and for at most {@link #MAX_SELECTIONS} selections; past that, or when an
 * execution had errors, each subscriber executes its own, as without sharing.
 */
final class ExecutedSelections {

    /** Kept for no selection: a change replayed for one subscriber is never shared. */
    static final ExecutedSelections NONE = new ExecutedSelections(0);

    /** Selections kept per change: enough for every client kind, small enough that a change stays kilobytes. */
    static final int MAX_SELECTIONS = 16;

    private final int max;
    /** Allocated by the first execution: most changes are delivered by one kind of client, many by none. */
    private volatile ConcurrentHashMap<String, Object> bySelection;

    ExecutedSelections() {
        this(MAX_SELECTIONS);
    }

    private ExecutedSelections(int max) {
        this.max = max;
    }

    /**
     * The result of {@code selection} on this change: the one executed before, or {@code execute}'s, kept for the next
     * subscriber unless it is null. Null when there is none to share; subscribers with the same selection wait for
     * the one executing it rather than execute it again.
     */
    Object shared(String selection, Supplier<Object> execute) {
        if (max == 0) {
            return null;
        }
        ConcurrentHashMap<String, Object> results = bySelection;
        if (results == null) {
            synchronized (this) {
                results = bySelection;
                if (results == null) {
                    results = new ConcurrentHashMap<>(4);
                    bySelection = results;
                }
            }
        }
        Object known = results.get(selection);
        if (known != null || results.size() >= max) {
            return known;
        }
        return results.computeIfAbsent(selection, key -> execute.get());
    }

    /** The result of {@code selection} on this change when one was executed and kept, else null. Executes nothing. */
    Object known(String selection) {
        ConcurrentHashMap<String, Object> results = bySelection;
        return results == null ? null : results.get(selection);
    }

    @Override
    public String toString() {
        ConcurrentHashMap<String, Object> results = bySelection;
        return (results == null ? 0 : results.size()) + " selections";
    }
}
