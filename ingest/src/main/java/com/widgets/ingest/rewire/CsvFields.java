package com.widgets.ingest.rewire;

import com.widgets.ingest.export.CsvRows;
import java.util.ArrayList;
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
        return split(line, fields, -1);
    }

    /**
     * Value number {@code index} (from 0) of one CSV record, as {@link #split} gives it; null when the record's
     * quoting is broken anywhere or it has fewer values. Checks the whole record as {@link #split} does, without
     * making a string of any other value (the file checks read one column of every record).
     */
    static String field(String line, int index) {
        List<String> one = new ArrayList<>(1);
        return split(line, one, index) != null || one.isEmpty() ? null : one.get(0);
    }

    /** Splits as {@link #split(String, List)}, keeping only value number {@code only}, or every value when negative. */
    private static String split(String line, List<String> fields, int only) {
        int i = 0, n = line.length(), index = 0;
        StringBuilder field = new StringBuilder();
        while (true) {
            boolean keep = only < 0 || index == only;
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
                    } else if (keep) {
                        field.append(c);
                    }
                }
                if (i < n && line.charAt(i) != ',') {
                    return "has text after the closing quote of value " + (index + 1);
                }
            } else {
                int start = i;
                while (i < n && line.charAt(i) != ',') {
                    if (line.charAt(i) == '"') {
                        return "has a quote inside unquoted value " + (index + 1);
                    }
                    i++;
                }
                if (keep) {
                    field.append(line, start, i);
                }
            }
            if (keep) {
                fields.add(CsvRows.restored(field.toString()));
            }
            index++;
            if (i >= n) {
                return null;
            }
            i++; // the comma
        }
    }
}
