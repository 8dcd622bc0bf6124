package com.widgets.db;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.postgresql.PGConnection;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

/** Writes rows in COPY's text format and sends them with pgjdbc's copy API on the transaction's connection. */
final class HistoryCopy {

    private HistoryCopy() {}

    /** Appends a text column, escaped for COPY's text format; null as {@code \N}. */
    static StringBuilder text(StringBuilder row, String value) {
        if (value == null) {
            return row.append("\\N");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> row.append("\\\\");
                case '\t' -> row.append("\\t");
                case '\n' -> row.append("\\n");
                case '\r' -> row.append("\\r");
                default -> row.append(c);
            }
        }
        return row;
    }

    static StringBuilder number(StringBuilder row, Long value) {
        return value == null ? row.append("\\N") : row.append(value.longValue());
    }

    /** Runs {@code sql} (a {@code COPY … FROM STDIN}) with these rows; returns the number of rows copied. */
    static long copy(JdbcTemplate jdbc, String sql, CharSequence rows) {
        byte[] data = rows.toString().getBytes(StandardCharsets.UTF_8);
        Long copied = jdbc.execute((ConnectionCallback<Long>) con -> {
            try {
                return con.unwrap(PGConnection.class).getCopyAPI().copyIn(sql, new ByteArrayInputStream(data), 1 << 16);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return copied == null ? 0 : copied;
    }
}
