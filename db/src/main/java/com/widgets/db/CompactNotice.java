package com.widgets.db;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The payload encoding of {@link WiringNotices}: a marker line, then one line per event with its fields separated by
 * tabs. A field equal to the same field of the line before is left empty; the id is written as the difference from
 * the id before. So a chunk's run of events with the same time, actor and job costs a few dozen bytes each.
 *
 * <p>Text fields escape backslash, tab, newline and carriage return with a backslash; {@code \N} is null and
 * {@code \e} the empty string, so an empty field always means "as before". Each payload starts afresh, so every
 * payload decodes on its own.
 */
final class CompactNotice {

    /** The first line of a compact payload; JSON payloads start with {@code [}. */
    static final String MARK = "~1\n";

    private static final int FIELDS = 12;
    private static final String NULL = "\\N";
    private static final String EMPTY = "\\e";

    private CompactNotice() {}

    /** The events as payloads of at most {@code maxBytes} UTF-8 bytes each, in order. */
    static List<String> encode(List<WiringEvent> events, int maxBytes) {
        List<String> payloads = new ArrayList<>();
        StringBuilder payload = new StringBuilder(Math.min(maxBytes, 64 * events.size() + MARK.length()));
        payload.append(MARK);
        int bytes = MARK.length();
        String[] previous = new String[FIELDS];
        long previousId = 0;
        boolean first = true;
        StringBuilder line = new StringBuilder(128);
        for (WiringEvent event : events) {
            String[] fields = fields(event);
            line.setLength(0);
            write(line, event.id() - previousId, fields, previous, first);
            int lineBytes = utf8Length(line);
            if (!first && bytes + lineBytes > maxBytes) {
                payloads.add(payload.toString());
                payload.setLength(0);
                payload.append(MARK);
                bytes = MARK.length();
                line.setLength(0);
                write(line, event.id(), fields, previous, true);
                lineBytes = utf8Length(line);
            }
            payload.append(line);
            bytes += lineBytes;
            previous = fields;
            previousId = event.id();
            first = false;
        }
        payloads.add(payload.toString());
        return payloads;
    }

    private static String[] fields(WiringEvent e) {
        Origin origin = e.origin();
        return new String[] {
            e.at().toString(),
            e.serialNumber(),
            e.type().name(),
            e.port() == null ? null : e.port().name(),
            e.peer() == null ? null : e.peer().serialNumber(),
            e.peer() == null ? null : e.peer().port().name(),
            e.name(),
            e.ports() == null ? null : PortType.letters(e.ports()),
            origin.actor(),
            origin.requestId(),
            origin.jobId() == null ? null : origin.jobId().toString(),
            origin.lineNumber() == null ? null : origin.lineNumber().toString()
        };
    }

    private static void write(StringBuilder line, long id, String[] fields, String[] previous, boolean first) {
        line.append(id);
        for (int i = 0; i < FIELDS; i++) {
            line.append('\t');
            String value = fields[i];
            if (!first && java.util.Objects.equals(value, previous[i])) {
                continue;
            }
            if (value == null) {
                line.append(NULL);
            } else if (value.isEmpty()) {
                line.append(EMPTY);
            } else {
                escape(line, value);
            }
        }
        line.append('\n');
    }

    private static void escape(StringBuilder out, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
    }

    static List<WiringEvent> decode(String payload) {
        List<WiringEvent> events = new ArrayList<>();
        String[] previous = new String[FIELDS];
        long id = 0;
        int at = MARK.length();
        while (at < payload.length()) {
            int end = payload.indexOf('\n', at);
            String[] tokens = payload.substring(at, end).split("\t", -1);
            at = end + 1;
            if (tokens.length != FIELDS + 1) {
                throw new IllegalArgumentException("A wiring notice line has " + tokens.length + " fields");
            }
            id += Long.parseLong(tokens[0]);
            String[] fields = new String[FIELDS];
            for (int i = 0; i < FIELDS; i++) {
                String token = tokens[i + 1];
                fields[i] = token.isEmpty() ? previous[i] : unescape(token);
            }
            events.add(event(id, fields));
            previous = fields;
        }
        return events;
    }

    private static String unescape(String token) {
        if (token.equals(NULL)) {
            return null;
        }
        if (token.equals(EMPTY)) {
            return "";
        }
        if (token.indexOf('\\') < 0) {
            return token;
        }
        StringBuilder out = new StringBuilder(token.length());
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c == '\\' && i + 1 < token.length()) {
                char next = token.charAt(++i);
                out.append(
                        switch (next) {
                            case 't' -> '\t';
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            default -> next;
                        });
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static WiringEvent event(long id, String[] f) {
        Set<PortType> ports = f[7] == null ? null : PortType.setOf("ports", f[7]);
        return new WiringEvent(
                id,
                Instant.parse(f[0]),
                f[1],
                EventType.valueOf(f[2]),
                f[3] == null ? null : PortType.valueOf(f[3]),
                f[4] == null ? null : new PortRef(f[4], PortType.valueOf(f[5])),
                f[6],
                ports,
                new Origin(
                        f[8],
                        f[9],
                        f[10] == null ? null : Long.valueOf(f[10]),
                        f[11] == null ? null : Long.valueOf(f[11])));
    }

    private static int utf8Length(CharSequence s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes;
    }
}
