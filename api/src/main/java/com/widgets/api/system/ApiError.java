package com.widgets.api.system;

/**
 * A refusal of the API itself (not of the store), with a stable code like the store's {@link
 * com.widgets.db.ErrorCode}s.
 */
public class ApiError extends RuntimeException {

    /** The codes the API adds to the store's. */
    public enum Code {
        /** A request went over one of the {@code widgets.graphql.*} limits. */
        LIMIT_EXCEEDED,
        /** A REST request named a widget by a name other than its stored one. */
        NAME_MISMATCH,
        /** A subscriber fell too far behind the changes and was ended. */
        SLOW_SUBSCRIBER,
        /** Live updates lost their database connection; subscribe again. */
        LIVE_UPDATES_INTERRUPTED,
        /** No rewiring job has this id. */
        JOB_NOT_FOUND,
        /** The rewiring job is in a state that does not allow what was asked (restarting a running job, say). */
        JOB_NOT_RESTARTABLE,
        /** A subscription over the replica's or the connection's limit ({@code widgets.live.max-subscriptions*}). */
        TOO_MANY_SUBSCRIPTIONS,
        /** An upload the server's disk had no room for; nothing of it was kept. */
        STORAGE_FULL
    }

    private final Code code;

    public ApiError(Code code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public Code code() {
        return code;
    }
}
