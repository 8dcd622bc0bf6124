package com.widgets.ingest.rewire;

import com.widgets.ingest.export.CsvRows;
import java.io.Writer;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The rejected lines of each job, kept in the database in the same transaction as the chunk that judged them, and
 * rendered as the reject report: CSV with header {@code line,code,message,raw}, in line order.
 */
class RejectStore {

    private static final String INSERT = """
            INSERT INTO rewiring_reject (job_id, line_number, code, message, raw)
            SELECT ?, * FROM unnest(?::bigint[], ?::text[], ?::text[], ?::text[])
            ON CONFLICT (job_id, line_number) DO NOTHING
            """;
    private static final String PAGE = """
            SELECT line_number, code, message, raw FROM rewiring_reject
             WHERE job_id = ? AND line_number > ? ORDER BY line_number LIMIT 5000
            """;

    private final JdbcTemplate jdbc;

    RejectStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    void add(long jobId, List<Reject> rejects) {
        if (rejects.isEmpty()) {
            return;
        }
        int n = rejects.size();
        Long[] line = new Long[n];
        String[] code = new String[n], message = new String[n], raw = new String[n];
        for (int i = 0; i < n; i++) {
            Reject r = rejects.get(i);
            line[i] = r.line();
            code[i] = r.code();
            message[i] = r.message();
            raw[i] = r.raw().replace("\u0000", "");
        }
        jdbc.update(INSERT, jobId, line, code, message, raw);
    }

    void clear(long jobId) {
        jdbc.update("DELETE FROM rewiring_reject WHERE job_id = ?", jobId);
    }

    /** Writes the report, paging through the rejects by line number so a huge report never sits in memory. */
    void report(long jobId, Writer out) {
        CsvRows rows = new CsvRows(out, "line", "code", "message", "raw");
        long after = 0;
        while (true) {
            long[] last = {-1};
            jdbc.query(
                    PAGE,
                    rs -> {
                        last[0] = rs.getLong(1);
                        rows.row(Long.toString(last[0]), rs.getString(2), rs.getString(3), rs.getString(4));
                    },
                    jobId,
                    after);
            if (last[0] < 0) {
                break;
            }
            after = last[0];
        }
        rows.flush();
    }
}
