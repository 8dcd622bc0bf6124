package com.widgets.db;

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
        if (payload.startsWith(CompactNotice.MARK)) {
            return CompactNotice.decode(payload);
        }
        return json.readValue(payload, EVENTS); // the encoding of earlier versions, still sent by older replicas
    }

    /** Sends the events in as few notices as fit, in one statement of the current transaction. */
    static void publish(JdbcTemplate jdbc, List<WiringEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        send(jdbc, CompactNotice.encode(events, MAX_PAYLOAD));
    }

    /**
     * Like {@link #publish}, for the thousands of events of a rewiring chunk. The compact encoding writes only the
     * fields that differ from the event before, so a chunk's notices take about a seventh of the bytes JSON took.
     */
    static void publishMany(JdbcTemplate jdbc, List<WiringEvent> events) {
        publish(jdbc, events);
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
