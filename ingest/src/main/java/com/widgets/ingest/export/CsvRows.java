package com.widgets.ingest.export;

import java.io.Flushable;
import java.io.Writer;
import java.util.regex.Pattern;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.dataformat.csv.CsvMapper;
import tools.jackson.dataformat.csv.CsvSchema;
import tools.jackson.dataformat.csv.CsvWriteFeature;

/**
 * The one CSV writer of reject reports and exports (Jackson's CSV module), with one escaping rule: RFC 4180's — a value
 * is quoted only when it holds a comma, a double quote or a line break, and a double quote inside is doubled; a null
 * value is empty; rows end with {@code \n} — and, against CSV injection, a value a spreadsheet would run as a formula
 * (its first character after any apostrophes is {@code = + - @}, a tab or a carriage return) gets one more apostrophe
 * in front, as OWASP advises: {@code =cmd()} is written {@code '=cmd()}. What it writes, {@code CsvFields} reads back,
 * apostrophe removed, so an export imports as the wiring it was taken from.
 */
public final class CsvRows implements Flushable {

    private static final CsvMapper CSV = CsvMapper.builder()
            // Without it Jackson quotes any value with a character below ',' (a space, say) to save a scan.
            .enable(CsvWriteFeature.STRICT_CHECK_FOR_QUOTING)
            // The caller owns the writer (an HTTP response, a file): flushing is ours, closing is not.
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .build();

    /** Apostrophes, then a character that starts a formula in Excel, LibreOffice or Google Sheets. */
    private static final Pattern FORMULA = Pattern.compile("'*[=+\\-@\t\r]");

    private final JsonGenerator out;

    /** Rows written to {@code out}, starting with {@code header} when one is given. */
    public CsvRows(Writer out, String... header) {
        this.out = CSV.writer(CsvSchema.emptySchema()).createGenerator(out);
        if (header.length > 0) {
            row(header);
        }
    }

    /** Writes one row, buffered: call {@link #flush()} when done. */
    public CsvRows row(String... values) {
        out.writeStartArray();
        for (String value : values) {
            // Jackson drops a null from a row written without a schema: an empty value keeps the column.
            out.writeString(value == null ? "" : neutralised(value));
        }
        out.writeEndArray();
        return this;
    }

    /** The value with one more leading apostrophe when a spreadsheet would take it for a formula. */
    public static String neutralised(String value) {
        return FORMULA.matcher(value).lookingAt() ? "'" + value : value;
    }

    /** Undoes {@link #neutralised}: a value that is apostrophes then a formula's first character loses one. */
    public static String restored(String value) {
        return value.startsWith("'") && FORMULA.matcher(value).lookingAt() ? value.substring(1) : value;
    }

    /** Writes out what is buffered and flushes the underlying writer. */
    @Override
    public void flush() {
        out.flush();
    }
}
