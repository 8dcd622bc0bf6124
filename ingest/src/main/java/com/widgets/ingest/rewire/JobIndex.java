package com.widgets.ingest.rewire;

import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Finds rewiring job ids newest first, a page at a time, by the status of each job's latest execution: one query on
 * Spring Batch's own tables, so a filtered page never loads every job.
 */
class JobIndex {

    private static final String PAGE = """
            SELECT i.job_instance_id
              FROM batch_job_instance i
              JOIN LATERAL (SELECT e.status FROM batch_job_execution e
                             WHERE e.job_instance_id = i.job_instance_id
                             ORDER BY e.job_execution_id DESC LIMIT 1) last ON true
             WHERE i.job_name = ? AND i.job_instance_id < ?
            """;
    private static final String ORDER = " ORDER BY i.job_instance_id DESC LIMIT ?";

    private final JdbcTemplate jdbc;

    JobIndex(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Up to {@code max} ids below {@code beforeId} (all when null), of jobs in {@code status} (any when null). */
    List<Long> ids(Long beforeId, int max, RewiringStatus status) {
        long before = beforeId == null ? Long.MAX_VALUE : beforeId;
        if (status == null) {
            return jdbc.queryForList(PAGE + ORDER, Long.class, RewiringJobConfiguration.JOB, before, max);
        }
        return jdbc.queryForList(
                PAGE + " AND last.status = ANY(?::text[])" + ORDER,
                Long.class,
                RewiringJobConfiguration.JOB,
                before,
                batchStatuses(status),
                max);
    }

    /** The Spring Batch statuses each view status stands for (the inverse of {@code JobViews.status}). */
    private static String[] batchStatuses(RewiringStatus status) {
        return switch (status) {
            case PENDING -> new String[] {"STARTING"};
            case RUNNING -> new String[] {"STARTED", "STOPPING"};
            case COMPLETED -> new String[] {"COMPLETED"};
            case STOPPED -> new String[] {"STOPPED"};
            case FAILED -> new String[] {"FAILED", "ABANDONED", "UNKNOWN"};
        };
    }
}
