package com.widgets.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.transaction.TransactionSystemException;

/** Which failures are the database's (answered as unavailable, a job's run ended as one that lost its database). */
class DatabaseFailureTest {

    @Test
    void aFailedRollbackIsJudgedByTheFailureItRolledBackFor() {
        SQLException closed = new SQLException("Connection is closed");
        TransactionSystemException afterShutdown = new TransactionSystemException("JDBC rollback failed", closed);
        afterShutdown.initApplicationException(new QueryTimeoutException(
                "update", new SQLException("terminating connection due to administrator command", "57P01")));
        TransactionSystemException afterABug = new TransactionSystemException("JDBC rollback failed", closed);
        afterABug.initApplicationException(
                new DataIntegrityViolationException("update", new SQLException("duplicate key value", "23505")));

        assertThat(WiringException.isDatabaseFailure(afterShutdown)).isTrue();
        assertThat(WiringException.isDatabaseFailure(new IllegalStateException("step", afterShutdown)))
                .isTrue();
        assertThat(WiringException.isDatabaseFailure(afterABug)).isFalse();
        assertThat(WiringException.isDatabaseFailure(new TransactionSystemException("JDBC rollback failed", closed)))
                .isFalse();
    }

    @Test
    void sqlStatesOfALostOrStoppedOrExhaustedServerAreTheDatabasesAndOthersAreNot() {
        for (String state : new String[] {"08006", "08003", "57P01", "57P03", "53300", "53100"}) {
            assertThat(WiringException.isDatabaseFailure(new SQLException("x", state)))
                    .as(state)
                    .isTrue();
        }
        for (String state : new String[] {"23505", "40001", "42P01", "22001"}) {
            assertThat(WiringException.isDatabaseFailure(new SQLException("x", state)))
                    .as(state)
                    .isFalse();
        }
    }
}
