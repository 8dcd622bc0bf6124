package com.widgets.api.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** A shared selection written from its text made once is the JSON the map itself would have been written as. */
class EncodedOnceTest {

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void aSharedSelectionIsWrittenAsItsMapWouldBeInEveryMessage() {
        Map<String, Object> peer = new LinkedHashMap<>();
        peer.put("serialNumber", "SN-\"1\"\\ü😀");
        peer.put("port", "Q");
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", "42");
        event.put("type", "LINKED");
        event.put("peer", peer);
        event.put("name", null);
        event.put("ports", List.of("P", "Q"));
        event.put("origin", Map.of("actor", "line\nbreak\t</script>"));
        EncodedOnce shared = new EncodedOnce(event, json);

        assertThat(shared).isEqualTo(event); // a map to whoever reads it as one
        for (String id : Arrays.asList("1", "2")) { // the second message writes the text made for the first
            Map<String, Object> message = Map.of("id", id, "payload", Map.of("data", Map.of("wiringChanged", shared)));
            Map<String, Object> walked = Map.of("id", id, "payload", Map.of("data", Map.of("wiringChanged", event)));
            assertThat(json.writeValueAsString(message)).isEqualTo(json.writeValueAsString(walked));
            assertThat(json.readTree(json.writeValueAsString(message))
                            .at("/payload/data/wiringChanged/peer/serialNumber")
                            .asString())
                    .isEqualTo("SN-\"1\"\\ü😀");
        }
    }
}
