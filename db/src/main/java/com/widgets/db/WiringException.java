package com.widgets.db;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;

/** A change the store refused, with a stable {@link ErrorCode} and a message a person understands. */
public class WiringException extends RuntimeException {

    private final ErrorCode code;
    private final String field;

    public WiringException(ErrorCode code, String message) {
        this(code, null, message, null);
    }

    private WiringException(ErrorCode code, String field, String message, Throwable cause) {
        super(message, cause, false, cause != null);
        this.code = code;
        this.field = field;
    }

    static WiringException invalid(String field, String problem) {
        return new WiringException(ErrorCode.INVALID_INPUT, field, field + " " + problem + ".", null);
    }

    /**
     * The refusal for a database failure that is not the caller's fault: {@code BUSY} when no pooled connection came
     * free within the pool's wait while the database itself answered, {@code UNAVAILABLE} otherwise.
     */
    public static WiringException unavailable(Throwable cause) {
        if (poolExhausted(cause)) {
            return new WiringException(
                    ErrorCode.BUSY,
                    null,
                    "The service is busy: no database connection came free in time; please retry in a moment.",
                    cause);
        }
        if (diskFull(cause)) {
            return new WiringException(
                    ErrorCode.UNAVAILABLE,
                    null,
                    "The wiring database has no disk space left; nothing was written. Please try again once an"
                            + " operator has freed space.",
                    cause);
        }
        return new WiringException(
                ErrorCode.UNAVAILABLE, null, "The wiring database is unavailable; please try again.", cause);
    }

    /** PostgreSQL's disk_full (53100): a table or index could not grow. */
    private static boolean diskFull(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && "53100".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether this failure is the database's or the pool's, not a bug: no connection could be had or kept (SQLSTATE
     * class 08), the server is shutting down or was stopped (57), is out of disk, memory or connections (53), or a
     * transaction could not begin or commit for want of a connection. The API answers these as {@link
     * #unavailable}. A rollback that failed after such a failure (its connection already closed) is judged by the
     * failure it rolled back for.
     */
    public static boolean isDatabaseFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof TransactionSystemException rollback
                    && rollback.getApplicationException() != null
                    && isDatabaseFailure(rollback.getApplicationException())) {
                return true;
            }
            if (t instanceof DataAccessResourceFailureException
                    || t instanceof CannotCreateTransactionException
                    || t instanceof SQLTransientConnectionException
                    || t instanceof SQLNonTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if (state.startsWith("08") || state.startsWith("57") || state.startsWith("53")) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Hikari's timeout on a healthy pool: every connection in use. When the database is down the same timeout
     * carries the last connection failure as its cause.
     */
    private static boolean poolExhausted(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException timeout) {
                return timeout.getCause() == null && timeout.getNextException() == null;
            }
        }
        return false;
    }

    public ErrorCode code() {
        return code;
    }

    /** The input field at fault for {@link ErrorCode#INVALID_INPUT}, otherwise null. */
    public String field() {
        return field;
    }
}
