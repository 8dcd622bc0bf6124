package com.widgets.ingest.rewire;

import com.widgets.db.Origin;
import com.widgets.db.PortRef;
import com.widgets.db.PortType;
import com.widgets.db.WiringException;
import com.widgets.db.WiringOp;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns the records of a CSV (with header) or NDJSON rewiring file into store operations. Any line it cannot read as an
 * operation — broken quoting, a missing or overlong field, a bad port letter, an unknown op — becomes a malformed line
 * with a sentence saying why; whether the operation breaks a wiring rule is the store's call.
 */
final class LineParser {

    /** Thrown for a header the job cannot work with; the whole file is refused before anything is applied. */
    static final class HeaderException extends RuntimeException {
        HeaderException(String message) {
            super(message, null, false, false); // an expected refusal: its sentence says it all
        }
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final boolean csv;
    private final String actor;
    private final long jobId;
    /** For CSV: which column each position of a record holds. */
    private Column[] header;

    LineParser(boolean csv, String actor, long jobId) {
        this.csv = csv;
        this.actor = actor;
        this.jobId = jobId;
    }

    static boolean isCsv(String fileName) {
        String name = fileName.toLowerCase(Locale.ROOT);
        if (name.endsWith(".gz")) {
            name = name.substring(0, name.length() - 3);
        }
        if (name.endsWith(".csv")) {
            return true;
        }
        if (name.endsWith(".ndjson") || name.endsWith(".jsonl")) {
            return false;
        }
        throw new HeaderException(
                "Cannot tell the format of " + fileName + ": use .csv, .ndjson or .jsonl, optionally with .gz.");
    }

    /** Reads and checks a CSV header line (line 1); ops lists the ops the file's lines use. */
    void header(RawLines.Raw line, Set<String> ops) {
        if (line == null) {
            throw new HeaderException("The file is empty: a CSV file starts with a header line naming its columns ("
                    + Column.allowed() + ").");
        }
        if (line.problem() != null) {
            throw new HeaderException("The header cannot be read: " + line.problem() + ".");
        }
        List<String> fields = new ArrayList<>();
        String problem = CsvFields.split(line.text(), fields);
        if (problem != null) {
            throw new HeaderException("The header cannot be read: " + problem + ".");
        }
        Column[] columns = new Column[fields.size()];
        Set<Column> seen = EnumSet.noneOf(Column.class);
        for (int i = 0; i < columns.length; i++) {
            String field = fields.get(i).trim().toLowerCase(Locale.ROOT);
            columns[i] = Column.of(field);
            if (columns[i] == null) {
                throw new HeaderException("The header names an unknown column '" + fields.get(i)
                        + "'; the allowed columns are " + Column.allowed() + ".");
            }
            if (!seen.add(columns[i])) {
                throw new HeaderException("The header names the column " + field + " twice.");
            }
        }
        if (!seen.contains(Column.OP)) {
            throw new HeaderException("The header has no column op; the allowed columns are " + Column.allowed() + ".");
        }
        for (String op : ops) {
            Set<Column> needed = Column.neededBy(op);
            if (needed == null) {
                continue; // an unknown op rejects only its own lines
            }
            for (Column column : needed) {
                if (!seen.contains(column)) {
                    throw new HeaderException("The header has no column " + column.field() + ", which " + op
                            + " lines need; the allowed columns are " + Column.allowed() + ".");
                }
            }
        }
        this.header = columns;
    }

    /** The op a CSV record names, lower-cased, or null when it cannot be told; for the pre-scan of a file's ops. */
    static String opOf(RawLines.Raw line, int opIndex) {
        if (line.problem() != null || line.text().isBlank()) {
            return null;
        }
        String op = CsvFields.field(line.text(), opIndex);
        return op == null ? null : op.trim().toLowerCase(Locale.ROOT);
    }

    /** The position of the op column in a CSV header line, or -1. */
    static int opIndex(RawLines.Raw header) {
        List<String> fields = new ArrayList<>();
        if (header == null || header.problem() != null || CsvFields.split(header.text(), fields) != null) {
            return -1;
        }
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).trim().equalsIgnoreCase("op")) {
                return i;
            }
        }
        return -1;
    }

    FileLine parse(RawLines.Raw line) {
        long number = line.number();
        if (line.problem() != null) {
            return FileLine.malformed(number, line.text(), capitalize(line.problem()) + ".");
        }
        String[] values = new String[Column.values().length];
        String problem = csv ? csvValues(line.text(), values) : jsonValues(line.text(), values);
        if (problem != null) {
            return FileLine.malformed(number, line.text(), "Line " + number + " " + problem + ".");
        }
        try {
            return new FileLine(number, line.text(), op(values, Origin.jobLine(actor, jobId, number)), null);
        } catch (Malformed e) {
            return FileLine.malformed(number, line.text(), "Line " + number + " " + e.getMessage() + ".");
        } catch (WiringException e) {
            // A bad port letter or port set: the store's own sentence, under the file's code.
            return FileLine.malformed(number, line.text(), e.getMessage());
        }
    }

    private static String capitalize(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static final class Malformed extends RuntimeException {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    private static WiringOp op(String[] v, Origin origin) {
        String op = v[Column.OP.ordinal()];
        if (op == null) {
            throw new Malformed("has no op");
        }
        switch (op.trim().toLowerCase(Locale.ROOT)) {
            case "link":
                return new WiringOp.LinkPorts(
                        ref(v, Column.SERIAL_NUMBER, Column.PORT, "link"),
                        ref(v, Column.PEER_SERIAL_NUMBER, Column.PEER_PORT, "link"),
                        origin);
            case "unlink": {
                PortRef end = ref(v, Column.SERIAL_NUMBER, Column.PORT, "unlink");
                boolean peer = v[Column.PEER_SERIAL_NUMBER.ordinal()] != null;
                boolean peerPort = v[Column.PEER_PORT.ordinal()] != null;
                if (peer != peerPort) {
                    throw new Malformed("gives "
                            + (peer
                                    ? "peer_serial_number without peer_port"
                                    : "peer_port without" + " peer_serial_number")
                            + "; an unlink's expected peer needs both or neither");
                }
                return new WiringOp.UnlinkPort(
                        end, peer ? ref(v, Column.PEER_SERIAL_NUMBER, Column.PEER_PORT, "unlink") : null, origin);
            }
            case "add":
                return new WiringOp.AddWidget(
                        required(v, Column.SERIAL_NUMBER, "add"),
                        required(v, Column.NAME, "add"),
                        PortType.setOf("ports", required(v, Column.PORTS, "add")),
                        origin);
            case "remove":
                return new WiringOp.RemoveWidget(required(v, Column.SERIAL_NUMBER, "remove"), origin);
            default:
                throw new Malformed("has an unknown op '" + shorten(op) + "'; use link, unlink, add or remove");
        }
    }

    private static PortRef ref(String[] v, Column serial, Column port, String op) {
        String s = required(v, serial, op);
        return new PortRef(s, PortType.of(port.field(), required(v, port, op)));
    }

    private static String required(String[] v, Column column, String op) {
        String value = v[column.ordinal()];
        if (value == null) {
            throw new Malformed("has no " + column.field() + ", which " + op + " needs");
        }
        return value;
    }

    private static String shorten(String value) {
        return value.length() > 40 ? value.substring(0, 40) + "…" : value;
    }

    private String csvValues(String text, String[] values) {
        List<String> fields = new ArrayList<>(header.length);
        String problem = CsvFields.split(text, fields);
        if (problem != null) {
            return problem;
        }
        if (fields.size() != header.length) {
            return "has " + fields.size() + " values; the header has " + header.length + " columns";
        }
        for (int i = 0; i < header.length; i++) {
            String value = fields.get(i);
            if (value.length() > Column.MAX_VALUE) {
                return tooLong(header[i], value);
            }
            values[header[i].ordinal()] = value.isEmpty() ? null : value;
        }
        return null;
    }

    private static String tooLong(Column column, String value) {
        return "has a " + column.field() + " " + value.length() + " characters long; values are limited to "
                + Column.MAX_VALUE;
    }

    private static String jsonValues(String text, String[] values) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JacksonException e) {
            return "is not a JSON object: " + e.getOriginalMessage();
        }
        if (node == null || !node.isObject()) {
            return "is not a JSON object";
        }
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            Column column = Column.of(field.getKey());
            if (column == null) {
                return "has an unknown field '" + shorten(field.getKey()) + "'; the allowed fields are "
                        + Column.allowed();
            }
            JsonNode value = field.getValue();
            if (value.isNull()) {
                continue;
            }
            if (!value.isString()) {
                return "has a " + column.field() + " that is not a string";
            }
            String s = value.stringValue();
            if (s.length() > Column.MAX_VALUE) {
                return tooLong(column, s);
            }
            values[column.ordinal()] = s.isEmpty() ? null : s;
        }
        return null;
    }
}
