package com.widgets.ingest.rewire;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** The fields of a rewiring line, as named in a CSV header or an NDJSON object. */
enum Column {
    OP,
    SERIAL_NUMBER,
    PORT,
    PEER_SERIAL_NUMBER,
    PEER_PORT,
    NAME,
    PORTS;

    /** Longer values are malformed whatever the field; the store's own limits are far lower. */
    static final int MAX_VALUE = 1000;

    /** The name as written in files: {@code serial_number}. */
    String field() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Column of(String field) {
        for (Column column : values()) {
            if (column.field().equals(field)) {
                return column;
            }
        }
        return null;
    }

    static String allowed() {
        return Arrays.stream(values()).map(Column::field).collect(Collectors.joining(", "));
    }

    /** The columns lines of this op cannot do without; null for an unknown op. */
    static Set<Column> neededBy(String op) {
        return switch (op) {
            case "link" -> EnumSet.of(OP, SERIAL_NUMBER, PORT, PEER_SERIAL_NUMBER, PEER_PORT);
            case "unlink" -> EnumSet.of(OP, SERIAL_NUMBER, PORT);
            case "add" -> EnumSet.of(OP, SERIAL_NUMBER, NAME, PORTS);
            case "remove" -> EnumSet.of(OP, SERIAL_NUMBER);
            default -> null;
        };
    }
}
