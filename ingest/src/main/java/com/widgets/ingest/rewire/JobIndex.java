package com.widgets.ingest.rewire;

import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.batch.core.BatchStatus;
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

    /** How many jobs stand at each status of their latest execution. */
    private static final String BY_STATUS = """
            SELECT last.status, count(*)
              FROM batch_job_instance i
              JOIN LATERAL (SELECT e.status FROM batch_job_execution e
                             WHERE e.job_instance_id = i.job_instance_id
                             ORDER BY e.job_execution_id DESC LIMIT 1) last ON true
             WHERE i.job_name = ?
             GROUP BY last.status
            """;

    /** Every execution of a job on one of the files, oldest first. */
    private static final String FILE_RUNS = """
            SELECT p.parameter_value, e.status, e.end_time
              FROM batch_job_execution_params p
              JOIN batch_job_execution e ON e.job_execution_id = p.job_execution_id
              JOIN batch_job_instance i ON i.job_instance_id = e.job_instance_id
             WHERE i.job_name = ? AND p.parameter_name = ? AND p.parameter_value = ANY(?::text[])
             ORDER BY e.job_execution_id
            """;

    /**
     * Jobs whose latest execution is waiting, running or stopping, held by no process heard from since a given moment:
     * another process's row older than that, or no row while the execution was last written before it (a job that has
     * just started may not have its row yet). Also the jobs a shutdown stopped ({@link ShutdownStop#MARK}) that no
     * process has taken on since: their process let go of them, so they need no waiting.
     */
    private static final String UNHELD = """
            SELECT e.job_instance_id
              FROM batch_job_execution e
              JOIN batch_job_instance i ON i.job_instance_id = e.job_instance_id
              LEFT JOIN rewiring_job_holder h ON h.job_id = e.job_instance_id
             WHERE i.job_name = ?
               AND (e.status IN ('STARTING', 'STARTED', 'STOPPING') OR (e.status = 'STOPPED' AND e.exit_message = ?))
               AND NOT EXISTS (SELECT 1 FROM batch_job_execution later
                                WHERE later.job_instance_id = e.job_instance_id
                                  AND later.job_execution_id > e.job_execution_id)
               AND ((h.job_id IS NULL AND (e.last_updated < ? OR e.status = 'STOPPED'))
                    OR (h.holder <> ? AND h.seen_at < ?))
            """;

    private static final String UNHELD_ORDER = " ORDER BY e.job_instance_id";

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

    /** How many jobs there are in each status, every status present (0 when none). */
    Map<RewiringStatus, Long> countByStatus() {
        Map<RewiringStatus, Long> counts = new EnumMap<>(RewiringStatus.class);
        for (RewiringStatus status : RewiringStatus.values()) {
            counts.put(status, 0L);
        }
        jdbc.query(
                BY_STATUS,
                rs -> {
                    counts.merge(JobViews.status(BatchStatus.valueOf(rs.getString(1))), rs.getLong(2), Long::sum);
                },
                RewiringJobConfiguration.JOB);
        return counts;
    }

    /**
     * The jobs Spring Batch shows as pending or running that no process other than {@code self} holds since {@code
     * deadBefore}: their process died. Batch writes its times in this JVM's zone; {@code only} narrows it to one job.
     */
    List<Long> unheld(OffsetDateTime deadBefore, String self, Long only) {
        LocalDateTime written =
                deadBefore.atZoneSameInstant(ZoneId.systemDefault()).toLocalDateTime();
        if (only == null) {
            return jdbc.queryForList(
                    UNHELD + UNHELD_ORDER,
                    Long.class,
                    RewiringJobConfiguration.JOB,
                    ShutdownStop.MARK,
                    written,
                    self,
                    deadBefore);
        }
        return jdbc.queryForList(
                UNHELD + " AND e.job_instance_id = ?",
                Long.class,
                RewiringJobConfiguration.JOB,
                ShutdownStop.MARK,
                written,
                self,
                deadBefore,
                only);
    }

    /**
     * How the jobs on each of these files (absolute paths, as submitted) stand: whether one may still run or be
     * waiting to, and the latest execution's status and end. Files no job ran are left out.
     */
    Map<String, FileRuns> fileRuns(Collection<String> files) {
        Map<String, FileRuns> runs = new HashMap<>();
        if (files.isEmpty()) {
            return runs;
        }
        jdbc.query(
                FILE_RUNS,
                rs -> {
                    BatchStatus status = BatchStatus.valueOf(rs.getString(2));
                    Timestamp end = rs.getTimestamp(3);
                    FileRuns latest = new FileRuns(status, end == null ? null : end.toLocalDateTime(), false);
                    runs.merge(rs.getString(1), latest, (before, now) -> now.after(before));
                },
                RewiringJobConfiguration.JOB,
                RewiringJobConfiguration.FILE,
                files.toArray(String[]::new));
        return runs;
    }

    /**
     * @param latest the status of the latest execution
     * @param endedAt when it ended (null while it runs, or if its process died)
     * @param liveBefore whether an earlier execution had not ended
     */
    record FileRuns(BatchStatus latest, LocalDateTime endedAt, boolean liveBefore) {

        /** Whether some execution on the file is starting, running or stopping (or was, when its process died). */
        boolean live() {
            return liveBefore || latest.isRunning();
        }

        FileRuns after(FileRuns earlier) {
            return new FileRuns(latest, endedAt, earlier.live());
        }
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
