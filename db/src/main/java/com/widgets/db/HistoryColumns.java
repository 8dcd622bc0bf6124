package com.widgets.db;

import java.sql.Types;
import org.springframework.jdbc.core.SqlParameterValue;

/** The origin columns every history row carries, bound with explicit types so null job ids cost no extra round trip. */
final class HistoryColumns {

    /** The columns after the event's own: who and where from. */
    static final String ORIGIN = "actor, request_id, job_id, line_number";
    /** The matching placeholders, cast so PostgreSQL knows their types inside INSERT … SELECT. */
    static final String ORIGIN_VALUES = "?::text, ?::text, ?::bigint, ?::bigint";

    private HistoryColumns() {}

    static Object[] origin(Origin origin) {
        return new Object[] {
            origin.actor(),
            new SqlParameterValue(Types.VARCHAR, origin.requestId()),
            new SqlParameterValue(Types.BIGINT, origin.jobId()),
            new SqlParameterValue(Types.BIGINT, origin.lineNumber())
        };
    }

    /** {@code head} followed by the origin arguments. */
    static Object[] args(Origin origin, Object... head) {
        Object[] tail = origin(origin);
        Object[] all = new Object[head.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }
}
