package com.widgets.api.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.graphql.server.support.GraphQlWebSocketMessage;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpOutputMessage;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import tools.jackson.core.json.JsonWriteFeature;
import tools.jackson.databind.json.JsonMapper;

/** Every message the converter writes is byte for byte what Jackson's converter writes for it. */
class NextMessagesTest {

    private final JsonMapper json = JsonMapper.builder().build();
    private final NextMessages converter = new NextMessages(json);
    private final JacksonJsonHttpMessageConverter jackson = new JacksonJsonHttpMessageConverter(json);

    @Test
    void aSharedSelectionsMessageIsJacksonsForEveryIdAndResponseKey() throws IOException {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", "42");
        event.put("peer", Map.of("serialNumber", "SN-\"1\"\\ü😀\u0001", "port", "Q"));
        event.put("name", null);
        event.put("ports", List.of("P", "Q"));
        EncodedOnce shared = new EncodedOnce(event, json);
        // a client's subscription ids and aliases are its own: quotes, escapes, a raw 0x01, non-ASCII
        for (String id : List.of("1", "2", "1", "sub \"x\" \\ \u0001 ü 😀")) {
            for (String key : List.of("wiringChanged", "mine\u0001\"", "wiringChanged")) {
                GraphQlWebSocketMessage next = GraphQlWebSocketMessage.next(id, Map.of("data", Map.of(key, shared)));
                GraphQlWebSocketMessage walked = GraphQlWebSocketMessage.next(id, Map.of("data", Map.of(key, event)));
                assertThat(written(converter, next)).isEqualTo(written(jackson, walked));
            }
        }
    }

    @Test
    void otherMessagesAreJacksons() throws IOException {
        Map<String, Object> event = Map.of("id", "7");
        EncodedOnce shared = new EncodedOnce(event, json);
        Map<String, Object> withErrors = new LinkedHashMap<>();
        withErrors.put("data", Map.of("wiringChanged", shared));
        withErrors.put("errors", List.of(Map.of("message", "no")));
        List<GraphQlWebSocketMessage> messages = List.of(
                GraphQlWebSocketMessage.next("1", Map.of("data", Map.of("wiringChanged", event))),
                GraphQlWebSocketMessage.next("1", withErrors),
                GraphQlWebSocketMessage.next("1", Map.of("data", Map.of("a", shared, "b", shared))),
                GraphQlWebSocketMessage.complete("1"),
                GraphQlWebSocketMessage.ping(null),
                GraphQlWebSocketMessage.pong(Map.of("x", 1)),
                GraphQlWebSocketMessage.connectionAck(null));
        for (GraphQlWebSocketMessage message : messages) {
            assertThat(written(converter, message)).isEqualTo(written(jackson, message));
        }
    }

    @Test
    void everySubscriptionIdGetsItsOwnFrame() throws IOException {
        // clients such as graphql-ws pick a fresh UUID per subscription: nothing is kept per id
        assertThat(converter.framed()).isTrue();
        EncodedOnce shared = new EncodedOnce(Map.of("id", "7"), json);
        for (int i = 0; i < 5_000; i++) {
            String id = UUID.randomUUID().toString();
            GraphQlWebSocketMessage next =
                    GraphQlWebSocketMessage.next(id, Map.of("data", Map.of("wiringChanged", shared)));
            assertThat(written(converter, next))
                    .isEqualTo("{\"id\":\"" + id + "\",\"payload\":{\"data\":{\"wiringChanged\":{\"id\":\"7\"}}},"
                            + "\"type\":\"next\"}");
        }
    }

    @Test
    void aMapperThatEscapesOtherwiseGetsJacksonsMessagesThroughout() throws IOException {
        JsonMapper ascii =
                JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();
        NextMessages converter = new NextMessages(ascii);
        assertThat(converter.framed()).isFalse();
        JacksonJsonHttpMessageConverter jackson = new JacksonJsonHttpMessageConverter(ascii);
        Map<String, Object> event = Map.of("serialNumber", "ü😀");
        EncodedOnce shared = new EncodedOnce(event, ascii);
        GraphQlWebSocketMessage next =
                GraphQlWebSocketMessage.next("ü", Map.of("data", Map.of("wiringChanged", shared)));
        GraphQlWebSocketMessage walked =
                GraphQlWebSocketMessage.next("ü", Map.of("data", Map.of("wiringChanged", event)));
        assertThat(written(converter, next)).isEqualTo(written(jackson, walked)).doesNotContain("ü");
    }

    private static String written(
            org.springframework.http.converter.HttpMessageConverter<Object> converter, Object message)
            throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        converter.write(message, null, new HttpOutputMessage() {
            private final HttpHeaders headers = new HttpHeaders();

            @Override
            public OutputStream getBody() {
                return body;
            }

            @Override
            public HttpHeaders getHeaders() {
                return headers;
            }
        });
        return body.toString(StandardCharsets.UTF_8);
    }
}
