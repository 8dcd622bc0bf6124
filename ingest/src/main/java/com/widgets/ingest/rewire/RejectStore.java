package com.widgets.ingest.rewire;

import java.io.IOException;
import java.io.UncheckedIOException;
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
        try {
            out.write("line,code,message,raw\n");
            long after = 0;
            while (true) {
                long[] last = {-1};
                StringBuilder page = new StringBuilder();
                jdbc.query(
                        PAGE,
                        rs -> {
                            last[0] = rs.getLong(1);
                            page.append(last[0])
                                    .append(',')
                                    .append(csv(rs.getString(2)))
                                    .append(',')
                                    .append(csv(rs.getString(3)))
                                    .append(',')
                                    .append(csv(rs.getString(4)))
                                    .append('\n');
                        },
                        jobId,
                        after);
                out.write(page.toString());
                if (last[0] < 0) {
                    break;
                }
                after = last[0];
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Quotes a value for CSV when it needs it (RFC 4180). */
    static String csv(String value) {
        if (value == null) {
            return "";
        }
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }
}
