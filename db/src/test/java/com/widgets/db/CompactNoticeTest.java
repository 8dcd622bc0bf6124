package com.widgets.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Listeners decode exactly the events that were sent, whatever their text holds and however they were split. */
class CompactNoticeTest {

    private static final Instant AT = Instant.parse("2026-11-22T01:02:03.456789Z");

    @Test
    void awkwardTextNullsAndEmptiesSurviveTheRoundTrip() {
        List<WiringEvent> events = List.of(
                new WiringEvent(
                        7,
                        AT,
                        "A",
                        EventType.ADDED,
                        null,
                        null,
                        "tab\there\nnew\\line ü €",
                        Set.of(PortType.P, PortType.Q),
                        new Origin("me\t", "", null, null)),
                new WiringEvent(
                        9,
                        AT,
                        "A",
                        EventType.LINKED,
                        PortType.P,
                        new PortRef("B", PortType.R),
                        null,
                        null,
                        new Origin("me\t", "\\N", 3L, 12L)),
                new WiringEvent(
                        4,
                        AT.plusNanos(1000),
                        "B",
                        EventType.LINKED,
                        PortType.R,
                        new PortRef("A", PortType.P),
                        null,
                        null,
                        new Origin("job", null, 3L, 12L)),
                new WiringEvent(5, AT, "B", EventType.REMOVED, null, null, "\\e", null, Origin.request("x", "r")));

        List<String> payloads = CompactNotice.encode(events, 7000);

        assertThat(payloads).hasSize(1);
        assertThat(WiringNotices.decode(payloads.get(0))).isEqualTo(events);
    }

    @Test
    void manyEventsAreSplitIntoPayloadsThatEachDecodeOnTheirOwn() {
        List<WiringEvent> events = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            events.add(new WiringEvent(
                    1000 + i,
                    AT,
                    "W" + i,
                    EventType.LINKED,
                    PortType.Q,
                    new PortRef("V" + i, PortType.P),
                    null,
                    null,
                    Origin.jobLine("rewiring-job", 42, 2 + i / 2)));
        }

        List<String> payloads = CompactNotice.encode(events, 7000);

        List<WiringEvent> heard = new ArrayList<>();
        for (String payload : payloads) {
            assertThat(payload.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(7000);
            heard.addAll(WiringNotices.decode(payload));
        }
        assertThat(heard).isEqualTo(events);
        assertThat(payloads.size()).isLessThan(40);
    }
}
