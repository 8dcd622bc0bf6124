package com.widgets.db;

/**
 * Who made a change and through what, recorded with each history row.
 *
 * @param actor the user or service account
 * @param requestId the API request, when the change came through the API
 * @param jobId the rewiring job, when the change came from a file
 * @param lineNumber the line of that file
 */
public record Origin(String actor, String requestId, Long jobId, Long lineNumber) {

    public Origin {
        if (actor == null || actor.isBlank()) {
            throw new IllegalArgumentException("a change needs an actor");
        }
    }

    public static Origin request(String actor, String requestId) {
        return new Origin(actor, requestId, null, null);
    }

    public static Origin jobLine(String actor, long jobId, long lineNumber) {
        return new Origin(actor, null, jobId, lineNumber);
    }
}
