package com.widgets.ingest.rewire;

import com.widgets.ingest.export.CsvRows;
import java.util.List;

/**
 * Splits CSV records as RFC 4180 writes them, one record per line, and takes off the apostrophe {@link CsvRows} puts
 * before a value a spreadsheet would run as a formula.
 */
final class CsvFields {

    private CsvFields() {}

    /**
     * Splits one CSV record (RFC 4180: comma-separated, fields optionally in double quotes, a quote inside doubled) into
     * fields; returns a description of the problem if the quoting is broken. A record is one line: no valid value
     * holds a line break. A value that is apostrophes then {@code = + - @}, a tab or a carriage return loses one
     * apostrophe ({@link CsvRows#restored}).
     */
    static String split(String line, List<String> fields) {
        int i = 0, n = line.length();
        StringBuilder field = new StringBuilder();
        while (true) {
            field.setLength(0);
            if (i < n && line.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i >= n) {
                        return "has a quoted value that is never closed";
                    }
                    char c = line.charAt(i++);
                    if (c == '"') {
                        if (i < n && line.charAt(i) == '"') {
                            field.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        field.append(c);
                    }
                }
                if (i < n && line.charAt(i) != ',') {
                    return "has text after the closing quote of value " + (fields.size() + 1);
                }
            } else {
                int start = i;
                while (i < n && line.charAt(i) != ',') {
                    if (line.charAt(i) == '"') {
                        return "has a quote inside unquoted value " + (fields.size() + 1);
                    }
                    i++;
                }
                field.append(line, start, i);
            }
            fields.add(CsvRows.restored(field.toString()));
            if (i >= n) {
                return null;
            }
            i++; // the comma
        }
    }
}
