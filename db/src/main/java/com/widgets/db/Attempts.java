package com.widgets.db;

import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.dao.DataAccessException;
import org.springframework.transaction.TransactionException;

/**
 * Runs one store operation, again when its check-and-set found the ports changed under it or the database picked it
 * as a deadlock victim; turns every other database failure into {@link ErrorCode#UNAVAILABLE} (or {@link
 * ErrorCode#BUSY} when no pooled connection came free in time).
 */
final class Attempts {

    static final int DEFAULT_MAX_ATTEMPTS = 50;
    private static final Set<String> RETRYABLE_STATES = Set.of("40001", "40P01", "55P03");

    /** Thrown inside an attempt when a check-and-set write found other state than it read: read again and retry. */
    static final class StateChanged extends RuntimeException {
        StateChanged() {
            super("state changed under a check-and-set write", null, false, false);
        }
    }

    private final int maxAttempts;

    /**
     * The statements that make the current transaction wait at most {@code millis} for a lock, so it gives way (and is
     * tried again) rather than wait for the deadlock detector. On Citus the locks are taken on the workers, so the
     * setting must travel there: {@code citus.propagate_set_commands = 'local'}, an inert custom setting elsewhere.
     */
    static String lockWait(int millis) {
        return "SET LOCAL citus.propagate_set_commands = 'local'; SET LOCAL lock_timeout = '" + millis + "ms'";
    }

    Attempts(int maxAttempts) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("at least one attempt");
        }
        this.maxAttempts = maxAttempts;
    }

    <T> T run(String subject, Supplier<T> attempt) {
        for (int n = 1; ; n++) {
            try {
                return attempt.get();
            } catch (DataAccessException | TransactionException | StateChanged e) {
                if (!worthRetrying(e)) {
                    throw WiringException.unavailable(e);
                }
                if (n >= maxAttempts) {
                    throw new WiringException(
                            ErrorCode.CONTENTION,
                            subject + " kept changing while this change was written; please try again.");
                }
                backOff(n);
            }
        }
    }

    private static boolean worthRetrying(RuntimeException e) {
        return e instanceof StateChanged
                || e instanceof ConcurrencyFailureException
                || (e instanceof DataAccessException d && isLockConflict(d));
    }

    /**
     * Lock conflicts the store resolves by trying again: deadlock victim, serialization failure, lock timeout. The
     * state may sit on any SQL exception of the chain — a JDBC batch reports the failed statement's error as the
     * next exception of a {@link java.sql.BatchUpdateException}, not always as its cause.
     */
    private static boolean isLockConflict(DataAccessException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            for (SQLException sql = t instanceof SQLException s ? s : null; sql != null; sql = sql.getNextException()) {
                if (sql.getSQLState() != null && RETRYABLE_STATES.contains(sql.getSQLState())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void backOff(int attempt) {
        if (attempt < 3) {
            return;
        }
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(1, Math.min(50, 2L << attempt)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WiringException(ErrorCode.UNAVAILABLE, "Interrupted while retrying a contended change.");
        }
    }
}
