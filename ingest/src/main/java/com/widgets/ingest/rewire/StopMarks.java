package com.widgets.ingest.rewire;

import java.time.LocalDateTime;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Writes a stop onto a job execution as one conditional statement on Spring Batch's own table, never from a copy read
 * earlier: the process running the job writes the same row at any moment (its start, its end), and a copy read before
 * that write would put back what it replaced — a job that had just completed would be left stopping, with no end
 * time. Each statement lands only while the row still says what the caller saw, and raises the row's version as
 * Spring Batch does, so the running job's next write of its execution reads the stop ({@code synchronizeStatus}) or,
 * if it read the version just before, is written again after it ({@link ExecutionUpdateRetry}).
 */
class StopMarks {

    private static final String STOPPING = """
            UPDATE batch_job_execution
               SET status = 'STOPPING', exit_message = coalesce(?, exit_message), version = version + 1,
                   last_updated = ?
             WHERE job_execution_id = ? AND status IN ('STARTING', 'STARTED')
            """;

    private static final String KEEP_STOPPED = """
            UPDATE batch_job_execution
               SET exit_code = CASE status WHEN 'STOPPED' THEN 'STOPPED' ELSE exit_code END, exit_message = '',
                   version = version + 1, last_updated = ?
             WHERE job_execution_id = ? AND status IN ('STOPPING', 'STOPPED') AND exit_message = ?
               AND NOT EXISTS (SELECT 1 FROM batch_job_execution later
                                WHERE later.job_instance_id = batch_job_execution.job_instance_id
                                  AND later.job_execution_id > batch_job_execution.job_execution_id)
            """;

    private final JdbcTemplate jdbc;

    StopMarks(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Marks a waiting or running execution stopping, with {@code exitMessage} as its exit description when not null;
     * false when it no longer waits or runs (it ended, or a stop was asked already).
     */
    boolean stopping(long executionId, String exitMessage) {
        return jdbc.update(STOPPING, exitMessage, LocalDateTime.now(), executionId) == 1;
    }

    /**
     * Turns an execution stopped, or stopping, for a shutdown ({@link ShutdownStop#MARK}) into one stopped on purpose,
     * which no process resumes; false when it no longer carries the mark, or a process resumed it meanwhile (a later
     * execution exists). A stopping job's own end writes the mark again from its copy unless it reads the stored row
     * first ({@link ExecutionUpdateRetry}).
     */
    boolean keepStopped(long executionId) {
        return jdbc.update(KEEP_STOPPED, LocalDateTime.now(), executionId, ShutdownStop.MARK) == 1;
    }
}
