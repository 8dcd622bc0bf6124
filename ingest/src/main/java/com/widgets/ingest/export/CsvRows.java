package com.widgets.ingest.export;

import java.io.Flushable;
import java.io.Writer;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.dataformat.csv.CsvMapper;
import tools.jackson.dataformat.csv.CsvSchema;
import tools.jackson.dataformat.csv.CsvWriteFeature;

/**
 * The one CSV writer of reject reports and exports (Jackson's CSV module), with one escaping rule, RFC 4180's: a value
 * is quoted only when it holds a comma, a double quote or a line break, and a double quote inside is doubled; a null
 * value is empty; rows end with {@code \n}. What it writes, {@code CsvFields} reads back.
 */
public final class CsvRows implements Flushable {

    private static final CsvMapper CSV = CsvMapper.builder()
            // Without it Jackson quotes any value with a character below ',' (a space, say) to save a scan.
            .enable(CsvWriteFeature.STRICT_CHECK_FOR_QUOTING)
            // The caller owns the writer (an HTTP response, a file): flushing is ours, closing is not.
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .build();

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
            out.writeString(value == null ? "" : value);
        }
        out.writeEndArray();
        return this;
    }

    /** Writes out what is buffered and flushes the underlying writer. */
    @Override
    public void flush() {
        out.flush();
    }
}
