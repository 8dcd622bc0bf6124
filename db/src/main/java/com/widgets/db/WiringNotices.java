package com.widgets.db;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Broadcasts committed changes with PostgreSQL {@code NOTIFY} on {@link #CHANNEL}, from inside the writing
 * transaction: PostgreSQL delivers a notice only if that transaction commits, once, in commit order, to every
 * listening connection — so every API replica hears every change, whoever made it. On Citus, listeners connect to
 * the coordinator, which is where the notice is sent.
 */
public final class WiringNotices {

    /** The channel listeners {@code LISTEN} on. */
    public static final String CHANNEL = "wiring_changed";

    /** PostgreSQL refuses payloads of 8000 bytes or more; larger batches are split. */
    private static final int MAX_PAYLOAD = 7000;

    private static final JsonMapper json = JsonMapper.builder().build();
    private static final TypeReference<List<WiringEvent>> EVENTS = new TypeReference<>() {};

    private WiringNotices() {}

    /** The events carried by one notice's payload. */
    public static List<WiringEvent> decode(String payload) {
        return json.readValue(payload, EVENTS);
    }

    /** Sends the events in as few notices as fit, in one statement of the current transaction. */
    static void publish(JdbcTemplate jdbc, List<WiringEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        List<String> payloads = new ArrayList<>();
        List<WiringEvent> batch = new ArrayList<>();
        int size = 2;
        for (WiringEvent event : events) {
            int bytes = json.writeValueAsString(event).getBytes(StandardCharsets.UTF_8).length;
            if (!batch.isEmpty() && size + bytes + 1 > MAX_PAYLOAD) {
                payloads.add(json.writeValueAsString(batch));
                batch.clear();
                size = 2;
            }
            batch.add(event);
            size += bytes + 1;
        }
        payloads.add(json.writeValueAsString(batch));
        send(jdbc, payloads);
    }

    /**
     * Like {@link #publish}, for the thousands of events of a rewiring chunk: each event is written as JSON once and
     * the payloads are joined from those texts — the same payloads, at half the serialising.
     */
    static void publishMany(JdbcTemplate jdbc, List<WiringEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        List<String> payloads = new ArrayList<>();
        StringBuilder batch = new StringBuilder("[");
        int size = 2;
        for (WiringEvent event : events) {
            String one = json.writeValueAsString(event);
            int bytes = utf8Length(one);
            if (batch.length() > 1 && size + bytes + 1 > MAX_PAYLOAD) {
                payloads.add(batch.append(']').toString());
                batch.setLength(0);
                batch.append('[');
                size = 2;
            }
            if (batch.length() > 1) {
                batch.append(',');
            }
            batch.append(one);
            size += bytes + 1;
        }
        payloads.add(batch.append(']').toString());
        send(jdbc, payloads);
    }

    private static int utf8Length(String s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes;
    }

    private static void send(JdbcTemplate jdbc, List<String> payloads) {
        if (payloads.size() == 1) {
            jdbc.query("SELECT pg_notify(?, ?)", rs -> {}, CHANNEL, payloads.get(0));
        } else {
            jdbc.query(
                    "SELECT pg_notify(?, p) FROM unnest(?::text[]) WITH ORDINALITY AS t(p, n) ORDER BY n",
                    rs -> {},
                    CHANNEL,
                    payloads.toArray(String[]::new));
        }
    }
}
