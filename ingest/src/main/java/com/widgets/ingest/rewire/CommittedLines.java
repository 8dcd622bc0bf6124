package com.widgets.ingest.rewire;

import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * How far each apply-mode job got: the last line whose outcome committed and the counts up to it, written in the same
 * transaction as the wiring changes of those lines. A restart resumes at the reader's last saved position, which may
 * lie before this line when a chunk was committed in parts; the lines up to it are skipped, not applied twice.
 */
class CommittedLines {

    /** Where a job stands: nothing committed yet is line 0 with no counts. */
    record Position(long lastLine, Counts counts) {
        static final Position START = new Position(0, Counts.NONE);
    }

    private static final String READ =
            "SELECT last_line, read, applied, unchanged, rejected FROM rewiring_job_progress WHERE job_id = ?";
    private static final String SAVE = """
            INSERT INTO rewiring_job_progress (job_id, last_line, read, applied, unchanged, rejected)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (job_id) DO UPDATE
               SET last_line = excluded.last_line, read = excluded.read, applied = excluded.applied,
                   unchanged = excluded.unchanged, rejected = excluded.rejected
            """;

    private final JdbcTemplate jdbc;

    CommittedLines(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    Position of(long jobId) {
        List<Position> found = jdbc.query(
                READ,
                (rs, i) -> new Position(
                        rs.getLong(1), new Counts(rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5))),
                jobId);
        return found.isEmpty() ? Position.START : found.get(0);
    }

    void save(long jobId, Position position) {
        Counts c = position.counts();
        jdbc.update(SAVE, jobId, position.lastLine(), c.read(), c.applied(), c.unchanged(), c.rejected());
    }
}
