package com.widgets.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.db.WiringStore;
import com.widgets.db.testing.WiringDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Hostile GraphQL over HTTP: random and malformed documents and variables, JSON of the wrong shape, huge strings,
 * deep nesting, many aliases, batched operations. Each is answered with a 4xx or a GraphQL error — never a 5xx, never
 * Spring's opaque {@code INTERNAL_ERROR}, never a stack trace — and a refused request writes nothing.
 */
@ApiTest
@Tag("drill")
class HostileGraphQlTest {

    private static final Logger log = LoggerFactory.getLogger(HostileGraphQlTest.class);
    private static final long SEED = 18;
    /** A Java class named in full: the server's insides ({@code org.springframework.…Request}, {@code graphql.…}). */
    static final java.util.regex.Pattern JAVA_CLASS = java.util.regex.Pattern.compile(
            "\\b(org|com|java|javax|jakarta|graphql|tools|reactor)(\\.[a-z]\\w*)+\\.[A-Z]");

    @Autowired
    WiringStore store;

    @Autowired
    JdbcTemplate jdbc;

    @LocalServerPort
    int port;

    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private WiringDatabase db;
    private final Map<String, Integer> outcomes = new TreeMap<>();

    @BeforeEach
    void wiring() {
        Fixtures.sampleWiring(jdbc, store);
        db = new WiringDatabase(jdbc);
    }

    /** What a hostile request got; checked for the things it must never be. */
    private record Answer(String what, int status, String body) {}

    private Answer post(String what, String body) throws Exception {
        return send(what, "application/json", body);
    }

    private Answer send(String what, String contentType, String body) throws Exception {
        long before = db.count("SELECT count(*) FROM wiring_history");
        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/graphql"))
                        .timeout(Duration.ofSeconds(30))
                        .header("Authorization", Fixtures.BEARER)
                        .header("Content-Type", contentType)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        Answer answer = new Answer(what, response.statusCode(), response.body());
        assertThat(answer.status()).as("%s -> %s", what, shorten(answer.body())).isLessThan(500);
        assertThat(answer.body())
                .as(what)
                .doesNotContain("INTERNAL_ERROR")
                .doesNotContain("\tat ")
                .doesNotContain("Exception")
                .doesNotContainPattern(JAVA_CLASS);
        boolean refused = answer.status() >= 400 || !answer.body().contains("\"data\":{");
        if (refused) {
            assertThat(db.count("SELECT count(*) FROM wiring_history"))
                    .as("a refused request writes nothing: %s", what)
                    .isEqualTo(before);
            assertThat(answer.status() >= 400 || answer.body().contains("\"errors\""))
                    .as("%s is a 4xx or a GraphQL error: %s", what, shorten(answer.body()))
                    .isTrue();
        }
        outcomes.merge(answer.status() + (answer.body().contains("\"errors\"") ? " with errors" : ""), 1, Integer::sum);
        return answer;
    }

    private static String shorten(String body) {
        return body.length() > 300 ? body.substring(0, 300) + "…" : body;
    }

    private static String json(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private static final String[] VALID = {
        "{ widget(serialNumber: \"SN-1\") { name ports { type peer { serialNumber port } } } }",
        "query Q($s: ID!) { widget(serialNumber: $s) { name neighbors { serialNumber } } }",
        "{ widgets(first: 3) { edges { cursor node { serialNumber } } pageInfo { hasNextPage } } }",
        "{ reachable(from: \"SN-2\", maxHops: 3) { edges { distance node { serialNumber } } } }",
        "mutation { addWidget(input: {serialNumber: \"FUZZ-1\", name: \"fuzz\", ports: [P, Q]}) { changed } }",
        "mutation { link(input: {a: {serialNumber: \"SN-4\", port: P}, b: {serialNumber: \"SN-3\", port: P}})"
                + " { changed } }",
        "mutation M($i: UnlinkInput!) { unlink(input: $i) { changed link { a { serialNumber } } } }",
        "{ wiringHistory(serialNumber: \"SN-1\", first: 5) { edges { node { type at } } } }",
        "subscription { wiringChanged { type } }"
    };

    private static final String[] TOKENS = {
        "{",
        "}",
        "(",
        ")",
        "[",
        "]",
        ":",
        "!",
        "$",
        "@",
        "...",
        "=",
        "|",
        "&",
        "query",
        "mutation",
        "subscription",
        "fragment",
        "on",
        "widget",
        "widgets",
        "link",
        "input",
        "serialNumber",
        "name",
        "ports",
        "P",
        "Q",
        "R",
        "true",
        "null",
        "\"SN-1\"",
        "\"\\u0000\"",
        "\"\"\"block\"\"\"",
        "42",
        "-1",
        "1e309",
        "__schema",
        "__typename",
        "#x\n",
        "\"unterminated",
        ",",
        "\u00e9",
        "\ud83d\ude00"
    };

    @Test
    void randomAndMalformedDocumentsAndVariablesAreRefusedCleanly() throws Exception {
        Random random = new Random(SEED);
        int sent = 0;
        for (int i = 0; i < 150; i++) {
            String valid = VALID[random.nextInt(VALID.length)];
            String document = switch (random.nextInt(4)) {
                case 0 -> valid.substring(0, random.nextInt(valid.length())); // cut short
                case 1 -> { // a character changed
                    char[] chars = valid.toCharArray();
                    chars[random.nextInt(chars.length)] = TOKENS[random.nextInt(TOKENS.length)].charAt(0);
                    yield new String(chars);
                }
                case 2 -> { // a token soup
                    StringBuilder soup = new StringBuilder();
                    for (int t = random.nextInt(40); t >= 0; t--) {
                        soup.append(TOKENS[random.nextInt(TOKENS.length)]).append(' ');
                    }
                    yield soup.toString();
                }
                default -> { // random printable and unprintable characters
                    StringBuilder noise = new StringBuilder();
                    for (int c = random.nextInt(200); c >= 0; c--) {
                        noise.append((char) random.nextInt(0x3000));
                    }
                    yield noise.toString();
                }
            };
            String variables = switch (random.nextInt(6)) {
                case 0 -> "";
                case 1 -> ", \"variables\": {\"s\": 5, \"i\": \"x\"}";
                case 2 -> ", \"variables\": [1, 2]";
                case 3 -> ", \"variables\": \"{}\"";
                case 4 -> ", \"variables\": {\"i\": {\"end\": {\"serialNumber\": [\"SN-1\"], \"port\": \"Z\"}}}";
                default -> ", \"variables\": {\"s\": {\"nested\": {\"deeper\": true}}}";
            };
            post("fuzz " + i + " (seed " + SEED + "): " + document, "{\"query\": " + json(document) + variables + "}");
            sent++;
        }
        assertThat(db.invariantViolations()).isEmpty();
        assertThat(db.replayHistory()).isEqualTo(db.snapshot());
        log.info("Hostile GraphQL: {} random documents, answers {}", sent, outcomes);
    }

    @Test
    void jsonOfTheWrongShapeIsA400OrAGraphQlError() throws Exception {
        Map<String, String> bodies = new LinkedHashMap<>();
        bodies.put("query a number", "{\"query\": 42}");
        bodies.put("query an array", "{\"query\": [\"{ __typename }\"]}");
        bodies.put("query an object", "{\"query\": {\"widget\": 1}}");
        bodies.put("query null", "{\"query\": null}");
        bodies.put("no query", "{\"variables\": {}}");
        bodies.put("operationName a number", "{\"query\": \"{ __typename }\", \"operationName\": 7}");
        bodies.put("extensions a string", "{\"query\": \"{ __typename }\", \"extensions\": \"x\"}");
        bodies.put("a JSON string", "\"{ __typename }\"");
        bodies.put("a JSON number", "12");
        bodies.put("JSON null", "null");
        bodies.put("empty body", "");
        bodies.put("not JSON", "{ widget(serialNumber: \"SN-1\") { name } }");
        bodies.put("truncated JSON", "{\"query\": \"{ __typename }\"");
        bodies.put("trailing garbage", "{\"query\": \"{ __typename }\"} {\"query\": 1}");
        bodies.put("duplicate keys", "{\"query\": \"{ __typename }\", \"query\": 5}");
        bodies.put("a NUL in the JSON", "{\"query\": \"{ __typename }\u0000\"}");
        bodies.put("JSON nested 100000 deep", "[".repeat(100_000) + "]".repeat(100_000));
        bodies.put(
                "variables nested 5000 deep",
                "{\"query\": \"query($s: ID!) { widget(serialNumber: $s) { name } }\", \"variables\": {\"s\": "
                        + "{\"a\":".repeat(5_000) + "1" + "}".repeat(5_000) + "}}");
        bodies.put(
                "an input object variable of the wrong types",
                "{\"query\": \"mutation($i: AddWidgetInput!) { addWidget(input: $i) { changed } }\","
                        + " \"variables\": {\"i\": {\"serialNumber\": {\"x\": 1}, \"name\": 5, \"ports\": \"P\"}}}");
        bodies.put(
                "a variable of an undeclared type",
                "{\"query\": \"query($s: Nope!) { widget(serialNumber: $s) { name } }\", \"variables\": {\"s\": 1}}");
        bodies.put(
                "a huge number for first",
                "{\"query\": \"{ widgets(first: 99999999999999999999) { edges { cursor } } }\"}");
        bodies.put(
                "batched operations (a JSON array)",
                "[{\"query\": \"{ __typename }\"}, {\"query\": \"mutation { removeWidget(input: {serialNumber:"
                        + " \\\"SN-1\\\"}) { changed } }\"}]");
        bodies.put(
                "two operations, no operationName",
                "{\"query\": \"query A { __typename } mutation B { removeWidget(input: {serialNumber: \\\"SN-1\\\"})"
                        + " { changed } }\"}");
        bodies.put(
                "an operationName that names none",
                "{\"query\": \"query A { __typename }\", \"operationName\": \"B\"}");
        for (Map.Entry<String, String> body : bodies.entrySet()) {
            Answer answer = post(body.getKey(), body.getValue());
            assertThat(answer.status() >= 400 || answer.body().contains("\"errors\""))
                    .as("%s: %s %s", body.getKey(), answer.status(), shorten(answer.body()))
                    .isTrue();
        }
        assertThat(store.widget("SN-1"))
                .as("the batched and ambiguous removals ran nowhere")
                .isPresent();
        Answer form = send("a form", "application/x-www-form-urlencoded", "query=%7B__typename%7D");
        assertThat(form.status()).isEqualTo(415);
    }

    @Test
    void hugeStringsDeepNestingAndManyAliasesAreRefusedWithoutResolvingAnything() throws Exception {
        List<Answer> answers = new ArrayList<>();
        String big = "S".repeat(200_000);
        answers.add(post(
                "a 200 KB serial number",
                "{\"query\": \"mutation($s: ID!) { addWidget(input: {serialNumber: $s, name: \\\"x\\\", ports: [P]})"
                        + " { changed } }\", \"variables\": {\"s\": \"" + big + "\"}}"));
        answers.add(post(
                "a 200 KB name",
                "{\"query\": \"mutation($n: String!) { addWidget(input: {serialNumber: \\\"HUGE-1\\\", name: $n,"
                        + " ports: [P]}) { changed } }\", \"variables\": {\"n\": \"" + big + "\"}}"));
        answers.add(post("a 200 KB document of one field name", "{\"query\": \"{ " + big + " }\"}"));
        answers.add(post("a 300 KB body", "{\"query\": \"{ __typename }\", \"pad\": \"" + "x".repeat(300_000) + "\"}"));
        answers.add(post(
                "fields nested 3000 deep",
                "{\"query\": \"" + "{ widget(serialNumber: \\\"SN-1\\\") ".repeat(1) + "{ ports ".repeat(3_000)
                        + "}".repeat(3_001) + "\"}"));
        answers.add(post(
                "an input object nested 3000 deep",
                "{\"query\": \"mutation { link(input: " + "{a: ".repeat(3_000) + "1" + "}".repeat(3_000)
                        + ") { changed } }\"}"));
        answers.add(post(
                "a list nested 3000 deep",
                "{\"query\": \"{ widgets(filter: {serialNumberPrefix: " + "[".repeat(3_000) + "\\\"S\\\""
                        + "]".repeat(3_000) + "}) { edges { cursor } } }\"}"));
        StringBuilder aliases = new StringBuilder("{");
        for (int i = 0; i < 5_000; i++) {
            aliases.append(" a").append(i).append(": __typename");
        }
        answers.add(post("5000 aliases", "{\"query\": \"" + aliases.append(" }") + "\"}"));
        StringBuilder mutations = new StringBuilder("mutation {");
        for (int i = 0; i < 200; i++) {
            mutations
                    .append(" m")
                    .append(i)
                    .append(": addWidget(input: {serialNumber: \\\"ALIAS-")
                    .append(i)
                    .append("\\\", name: \\\"x\\\", ports: [P]}) { changed }");
        }
        answers.add(post("200 aliased mutations", "{\"query\": \"" + mutations.append(" }") + "\"}"));
        StringBuilder fragments = new StringBuilder("query { ...f0 }");
        for (int i = 0; i < 500; i++) {
            fragments
                    .append(" fragment f")
                    .append(i)
                    .append(" on Query { ...f")
                    .append(i + 1)
                    .append(" }");
        }
        answers.add(post(
                "a chain of 500 fragments, and a cycle",
                "{\"query\": \"" + fragments.append(" fragment f500 on Query { ...f0 }") + "\"}"));
        for (Answer answer : answers) {
            assertThat(answer.status() >= 400 || answer.body().contains("\"errors\""))
                    .as("%s: %s %s", answer.what(), answer.status(), shorten(answer.body()))
                    .isTrue();
        }
        assertThat(store.widget("HUGE-1")).isEmpty();
        assertThat(store.widget("ALIAS-0"))
                .as("over the alias limit, not one of them")
                .isEmpty();
        log.info(
                "Hostile GraphQL, large and deep: {}",
                answers.stream()
                        .map(a -> a.what() + " -> " + a.status() + " " + codeOf(a.body()))
                        .toList());
    }

    private static String codeOf(String body) {
        var code = java.util.regex.Pattern.compile("\"(?:code|classification)\"\\s*:\\s*\"([A-Za-z_]+)\"")
                .matcher(body);
        return code.find() ? code.group(1) : "";
    }
}
