package com.widgets.db;

/**
 * What one operation of a chunk did: changed, found the state already as asked, or was refused with the same code and
 * sentence the single-operation API gives.
 *
 * @param origin the operation's origin (its line number, for a rewiring file)
 * @param code the refusal's code; null unless {@link Result#REJECTED}
 * @param message the refusal's sentence; null unless {@link Result#REJECTED}
 */
public record OpOutcome(Origin origin, Result result, ErrorCode code, String message) {

    /** The three ways an operation can end. */
    public enum Result {
        CHANGED,
        UNCHANGED,
        REJECTED
    }

    static OpOutcome of(Origin origin, boolean changed) {
        return new OpOutcome(origin, changed ? Result.CHANGED : Result.UNCHANGED, null, null);
    }

    static OpOutcome rejected(Origin origin, WiringException refusal) {
        return new OpOutcome(origin, Result.REJECTED, refusal.code(), refusal.getMessage());
    }
}
