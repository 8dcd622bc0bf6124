package com.widgets.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.api.drill.RawWebSocket;
import com.widgets.db.WiringStore;
import com.widgets.db.testing.WiringDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.graphql.test.tester.HttpGraphQlTester;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Hostile input over the WebSocket (graphql-transport-ws): frames that are not JSON, JSON of the wrong shape, unknown
 * message types, a subscribe before {@code connection_init}, duplicate ids, huge and binary frames, invalid UTF-8, more
 * subscriptions than a connection may hold, random documents. Each gets the protocol's close code or an error message
 * — never a stack trace or a Java class name — nothing is written, and the service answers normally afterwards.
 */
@ApiTest
@Tag("drill")
class HostileWebSocketTest {

    private static final Logger log = LoggerFactory.getLogger(HostileWebSocketTest.class);
    private static final String INIT =
            "{\"type\":\"connection_init\",\"payload\":{\"Authorization\":\"" + Fixtures.BEARER + "\"}}";
    private static final String WATCH = "subscription { wiringChanged { type serialNumber } }";

    @Autowired
    WiringStore store;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    HttpGraphQlTester http;

    @LocalServerPort
    int port;

    private final List<RawWebSocket> sockets = new ArrayList<>();
    private final Map<String, String> outcomes = new TreeMap<>();
    private WiringDatabase db;
    private long historyBefore;

    @BeforeEach
    void wiring() {
        Fixtures.sampleWiring(jdbc, store);
        db = new WiringDatabase(jdbc);
        historyBefore = db.count("SELECT count(*) FROM wiring_history");
    }

    @AfterEach
    void closeAll() {
        sockets.forEach(RawWebSocket::close);
    }

    @Test
    void malformedFramesAreClosedWithTheProtocolsCodes() throws Exception {
        closes("not JSON", 4400, false, text("{{{ not json"));
        closes("truncated JSON", 4400, false, text("{\"type\":\"connection_init\",\"payload\":{"));
        closes("a JSON array", 4400, false, text("[1,2,3]"));
        closes("a JSON string", 4400, false, text("\"connection_init\""));
        closes("JSON null", 4400, false, text("null"));
        closes("type a number", 4400, false, text("{\"type\":42}"));
        closes("no type", 4400, false, text("{\"payload\":{}}"));
        closes("an unknown type", 4400, false, text("{\"type\":\"hello\"}"));
        closes("an unknown type after init", 4400, true, text("{\"id\":\"1\",\"type\":\"start\"}"));
        closes(
                "subscribe before connection_init",
                4401,
                false,
                text("{\"id\":\"1\",\"type\":\"subscribe\",\"payload\":{\"query\":\"" + WATCH + "\"}}"));
        closes(
                "connection_init twice, the second with id null",
                4429,
                true,
                text("{\"id\":null,\"type\":\"connection_init\",\"payload\":{}}"));
        closes("a ping whose id is a number", 4400, true, text("{\"id\":7,\"type\":\"ping\"}"));
        closes("connection_init twice", 4429, true, text(INIT));
        closes("connection_init without a token", 4401, false, text("{\"type\":\"connection_init\"}"));
        closes(
                "connection_init with a wrong token",
                4401,
                false,
                text("{\"type\":\"connection_init\",\"payload\":{\"Authorization\":\"Bearer nope\"}}"));
        closes(
                "connection_init with a payload of the wrong type",
                4400,
                false,
                text("{\"type\":\"connection_init\",\"payload\":[1]}"));
        closes("the same id subscribed twice", 4409, true, text(subscribe("1", WATCH)), text(subscribe("1", WATCH)));
        closes(
                "a subscribe whose query is a number",
                4400,
                true,
                text("{\"id\":\"a\",\"type\":\"subscribe\",\"payload\":{\"query\":42}}"));
        closes(
                "a subscribe whose variables are a string",
                4400,
                true,
                text(
                        "{\"id\":\"b\",\"type\":\"subscribe\",\"payload\":{\"query\":\"{ __typename }\",\"variables\":\"x\"}}"));
        closes("a subscribe without a query", 4400, true, text("{\"id\":\"c\",\"type\":\"subscribe\",\"payload\":{}}"));
        closes(
                "a subscribe whose payload is a string",
                4400,
                true,
                text("{\"id\":\"d\",\"type\":\"subscribe\",\"payload\":\"query\"}"));
        closes(
                "a subscribe whose id is a number",
                4400,
                true,
                text("{\"id\":1,\"type\":\"subscribe\",\"payload\":{\"query\":\"{ __typename }\"}}"));
        closes("a binary frame", 1003, false, new Frame(0x2, new byte[] {0, 1, 2, (byte) 0xff}));
        closes("a binary frame after init", 1003, true, new Frame(0x2, INIT.getBytes(StandardCharsets.UTF_8)));
        closes("invalid UTF-8", 1007, false, new Frame(0x1, new byte[] {'{', (byte) 0xc3, (byte) 0x28, '}'}));
        byte[] huge = ("{\"type\":\"connection_init\",\"payload\":{\"x\":\"" + "x".repeat(1 << 20) + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
        closes("a 1 MB message", 1009, false, new Frame(0x1, huge));
        byte[] big = subscribe(
                        "1",
                        "subscription { wiringChanged(serialNumbers: [" + "\"SN-1\",".repeat(3_000) + "]) { type } }")
                .getBytes(StandardCharsets.UTF_8);
        closes("an 18 KB subscribe", 1009, true, new Frame(0x1, big));

        stillServes();
        log.info("WebSocket fuzz outcomes: {}", outcomes);
    }

    @Test
    void wrongPayloadsAndRandomDocumentsGetErrorMessagesAndTheConnectionLives() throws Exception {
        RawWebSocket ws = signedIn();
        List<String> bad = new ArrayList<>(List.of(
                "{\"id\":\"e\",\"type\":\"subscribe\",\"payload\":{\"query\":\"subscription { wiringChanged(after:"
                        + " \\\"not a cursor\\\") { type } }\"}}",
                "{\"id\":\"f\",\"type\":\"subscribe\",\"payload\":{\"query\":\"subscription { rewiringProgress(id:"
                        + " \\\"-1\\\") { status } }\"}}",
                "{\"id\":\"g\",\"type\":\"subscribe\",\"payload\":{\"query\":\"mutation { removeWidget(serialNumber:"
                        + " \\\"SN-1\\\") { changed } }\",\"operationName\":\"Nope\"}}",
                "{\"id\":\"h\",\"type\":\"subscribe\",\"payload\":{\"query\":\"subscription A { wiringChanged { type }"
                        + " } subscription B { wiringChanged { type } }\"}}"));
        Random random = new Random(18);
        String tokens =
                "{}()[]:!$@.,=\"#\n subscription query mutation wiringChanged serialNumbers after type __typename"
                        + " fragment on ... SN-1 1e9 true null";
        String[] words = tokens.split(" ");
        for (int i = 0; i < 50; i++) {
            StringBuilder document = new StringBuilder();
            int length = 1 + random.nextInt(25);
            for (int w = 0; w < length; w++) {
                document.append(
                                random.nextBoolean()
                                        ? words[random.nextInt(words.length)]
                                        : (char) (32 + random.nextInt(95)))
                        .append(' ');
            }
            bad.add("{\"id\":\"r" + i + "\",\"type\":\"subscribe\",\"payload\":{\"query\":"
                    + quoted(document.toString()) + "}}");
        }
        int errors = 0;
        for (String message : bad) {
            ws.send(message);
            String answer = nextAbout(ws, idOf(message));
            assertThat(answer).as(message).isNotNull().doesNotStartWith("CLOSE");
            assertSaysNothingOfItsInsides(message, answer);
            String kind = answer.contains("\"type\":\"error\"")
                    ? "error"
                    : answer.contains("\"errors\"") ? "next with errors" : "next (a valid subscription)";
            outcomes.merge(kind, "1", (a, b) -> Integer.toString(Integer.parseInt(a) + 1));
            if (!kind.startsWith("next (")) {
                errors++;
            }
            ws.send("{\"id\":\"" + idOf(message) + "\",\"type\":\"complete\"}");
        }
        assertThat(errors).as("most are refused with an error message").isGreaterThan(bad.size() / 2);

        ws.send("{\"id\":\"never-subscribed\",\"type\":\"complete\"}"); // ignored, as the protocol says
        ws.send("{\"type\":\"ping\"}");
        assertThat(pong(ws)).contains("\"type\":\"pong\"");

        for (int i = 0; i < 100; i++) {
            ws.send(subscribe("many-" + i, WATCH));
        }
        ws.send(subscribe("one-too-many", WATCH));
        String refused = nextAbout(ws, "one-too-many");
        assertThat(refused).contains("\"type\":\"error\"").contains("TOO_MANY_SUBSCRIPTIONS");
        assertSaysNothingOfItsInsides("the 101st subscribe", refused);
        outcomes.put("the 101st subscribe on a connection", "error TOO_MANY_SUBSCRIPTIONS");

        stillServes();
        log.info("WebSocket fuzz outcomes: {}", outcomes);
    }

    @Test
    void aLongMessageIsServedWholeInOneFrameOrManyUpToTheLimit() throws Exception {
        // a query whose comment makes the message ~12 KB, with two-byte characters to cut across frames and buffers
        String query = "query { widget(serialNumber: \"SN-1\") { serialNumber } }\n# " + "Grüße ".repeat(1_900);
        assertThat(subscribe("x", query).length()).isBetween(11_000, 16_000);
        RawWebSocket ws = signedIn();
        ws.send(subscribe("one-frame", query));
        assertThat(nextAbout(ws, "one-frame")).contains("\"type\":\"next\"").contains("\"serialNumber\":\"SN-1\"");
        ws.sendInFrames(subscribe("seven-frames", query), 7);
        assertThat(nextAbout(ws, "seven-frames")).contains("\"type\":\"next\"").contains("\"serialNumber\":\"SN-1\"");
        ws.send("{\"type\":\"ping\"}");
        assertThat(pong(ws)).contains("\"type\":\"pong\"");
        // over the limit in frames: closed as one frame over it is (the fuzz test above)
        ws.sendInFrames(subscribe("too-long", query + "x".repeat(5_000)), 3);
        String closed;
        do {
            closed = ws.receive();
        } while (closed != null && !closed.startsWith("CLOSE"));
        assertThat(closed).startsWith("CLOSE 1009");
        stillServes();
    }

    @Test
    void aLongAnswerLeavesInSmallFramesAndArrivesWhole() throws Exception {
        // Tomcat read its buffer size as its WebSocket classes loaded: ours, unless the JVM was started with one
        var constants = Class.forName("org.apache.tomcat.websocket.Constants");
        var size = constants.getDeclaredField("DEFAULT_BUFFER_SIZE");
        size.setAccessible(true);
        assertThat(size.getInt(null)).isEqualTo(2048);
        // the schema's types with their fields' descriptions: an answer of tens of KB, sent in frames of at most the
        // buffer and joined by the client into one message
        RawWebSocket ws = signedIn();
        ws.send(subscribe("long", "{ __schema { types { name description fields { name description } } } }"));
        String answer = nextAbout(ws, "long");
        assertThat(answer.length()).as(answer).isGreaterThan(8_192);
        assertThat(answer)
                .startsWith("{")
                .endsWith("}")
                .contains("\"name\":\"Widget\"")
                .doesNotContain("errors");
        stillServes();
    }

    private record Frame(int opcode, byte[] payload) {}

    private static Frame text(String text) {
        return new Frame(0x1, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends the frames on a new connection (signed in first when {@code init}) and expects it closed with {@code code}. */
    private void closes(String what, int code, boolean init, Frame... frames) throws Exception {
        RawWebSocket ws = init ? signedIn() : open();
        for (Frame frame : frames) {
            ws.send(frame.opcode(), frame.payload());
        }
        String answer;
        do {
            answer = ws.receive();
        } while (answer != null && !answer.startsWith("CLOSE"));
        assertThat(answer).as(what).isNotNull().startsWith("CLOSE " + code);
        assertSaysNothingOfItsInsides(what, answer);
        outcomes.put(what, answer);
    }

    private RawWebSocket open() throws IOException {
        RawWebSocket ws = RawWebSocket.open(port, 0);
        ws.timeout(30_000);
        sockets.add(ws);
        return ws;
    }

    private RawWebSocket signedIn() throws IOException {
        RawWebSocket ws = open();
        ws.send(INIT);
        assertThat(ws.receive()).contains("connection_ack");
        return ws;
    }

    /** The answer to a ping, skipping the subscriptions' messages. */
    private static String pong(RawWebSocket ws) throws IOException {
        String message;
        do {
            message = ws.receive();
        } while (message != null && !message.startsWith("CLOSE") && !message.contains("\"type\":\"pong\""));
        return message;
    }

    /** The next message for the subscription {@code id}, skipping the live events of others. */
    private static String nextAbout(RawWebSocket ws, String id) throws IOException {
        while (true) {
            String message = ws.receive();
            if (message == null || message.startsWith("CLOSE") || message.contains("\"id\":\"" + id + "\"")) {
                return message;
            }
        }
    }

    private void assertSaysNothingOfItsInsides(String what, String answer) {
        assertThat(answer)
                .as(what)
                .doesNotContain("\tat ")
                .doesNotContain("Exception")
                .doesNotContain("INTERNAL_ERROR");
        assertThat(HostileGraphQlTest.JAVA_CLASS.matcher(answer).find())
                .as("%s names a Java class: %s", what, answer)
                .isFalse();
    }

    /** Nothing written, and a normal request and a normal subscription are served. */
    private void stillServes() throws Exception {
        assertThat(db.count("SELECT count(*) FROM wiring_history")).isEqualTo(historyBefore);
        http.document("{ widget(serialNumber: \"SN-1\") { serialNumber } }")
                .execute()
                .path("widget.serialNumber")
                .entity(String.class)
                .isEqualTo("SN-1");
        RawWebSocket ws = signedIn();
        ws.send(subscribe("after", "subscription { wiringChanged(serialNumbers: [\"SN-1\"]) { type } }"));
        ws.send("{\"type\":\"ping\"}");
        assertThat(pong(ws)).contains("\"type\":\"pong\"");
    }

    private static String subscribe(String id, String document) {
        return "{\"id\":\"" + id + "\",\"type\":\"subscribe\",\"payload\":{\"query\":" + quoted(document) + "}}";
    }

    private static String idOf(String message) {
        int start = message.indexOf("\"id\":\"") + 6;
        return message.substring(start, message.indexOf('"', start));
    }

    private static String quoted(String text) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                default -> quoted.append(c < 32 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return quoted.append('"').toString();
    }
}
