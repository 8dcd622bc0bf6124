package com.widgets.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.db.WiringEvent;
import com.widgets.db.WiringStore;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.graphql.test.tester.HttpGraphQlTester;
import org.springframework.jdbc.core.JdbcTemplate;

/** The service over HTTP as a client sees it: GraphQL over HTTP POST and GET, the schema, GraphiQL, errors. */
@ApiTest
class HttpEndToEndTest {

    @Autowired
    HttpGraphQlTester http;

    @Autowired
    WiringStore store;

    @Autowired
    JdbcTemplate jdbc;

    @LocalServerPort
    int port;

    final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void wiring() {
        Fixtures.sampleWiring(jdbc, store);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", Fixtures.BEARER);
    }

    private HttpResponse<String> post(String body, String contentType) throws IOException, InterruptedException {
        return send(request("/graphql")
                .header("Content-Type", contentType)
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    @Test
    void aMutationRecordsTheActorAndReturnsItsRequestId() throws Exception {
        var response = http.mutate()
                .header("X-Actor", "alice")
                .build()
                .document("mutation { addWidget(input: {serialNumber: \"E2E-1\", name: \"e2e\", ports: [P]})"
                        + " { changed requestId } }")
                .execute();
        response.path("addWidget.changed").entity(Boolean.class).isEqualTo(true);
        String requestId =
                response.path("addWidget.requestId").entity(String.class).get();
        assertThat(response.returnResponse().getExtensions()).containsEntry("requestId", requestId);
        List<WiringEvent> history = store.history("E2E-1", null, 10);
        assertThat(history).singleElement().satisfies(event -> {
            assertThat(event.origin().actor()).isEqualTo("alice");
            assertThat(event.origin().requestId()).isEqualTo(requestId);
        });

        HttpResponse<String> raw = post(
                "{\"query\":\"mutation { removeWidget(input: {serialNumber: \\\"E2E-1\\\"}) { changed } }\"}",
                "application/json");
        assertThat(raw.statusCode()).isEqualTo(200);
        String header = raw.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(raw.body()).contains("\"requestId\":\"" + header + "\"");
        // without X-Actor the actor is the token's subject: the admin token's is "admin"
        assertThat(store.history("E2E-1", null, 1).get(0).origin().actor()).isEqualTo("admin");
    }

    @Test
    void speaksGraphQlOverHttpPostAndGet() throws Exception {
        HttpResponse<String> post = send(request("/graphql")
                .header("Content-Type", "application/json")
                .header("Accept", "application/graphql-response+json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"query\":\"{ widget(serialNumber: \\\"SN-1\\\") { name } }\"}")));
        assertThat(post.statusCode()).isEqualTo(200);
        assertThat(post.headers().firstValue("Content-Type").orElseThrow())
                .startsWith("application/graphql-response+json");
        assertThat(post.body()).contains("\"name\":\"Widget1\"");

        String query =
                URLEncoder.encode("query One($s: ID!) { widget(serialNumber: $s) { name } }", StandardCharsets.UTF_8);
        String variables = URLEncoder.encode("{\"s\":\"SN-2\"}", StandardCharsets.UTF_8);
        HttpResponse<String> get = send(
                request("/graphql?query=" + query + "&variables=" + variables).GET());
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.body()).contains("\"name\":\"Widget2\"");
        assertThat(get.headers().firstValue("X-Request-Id")).isPresent();

        String mutation = URLEncoder.encode(
                "mutation { removeWidget(input: {serialNumber: \"SN-1\"}) { changed } }", StandardCharsets.UTF_8);
        HttpResponse<String> refused =
                send(request("/graphql?query=" + mutation).GET());
        assertThat(refused.statusCode()).isEqualTo(405);
        assertThat(refused.headers().firstValue("Allow")).contains("POST");
        assertThat(refused.body()).contains("queries only");
        assertThat(store.widget("SN-1")).isPresent();
    }

    @Test
    void aBodyThatIsNotJsonByItsContentTypeGets415NamingTheTypesThatAre() throws Exception {
        // curl -d sends application/x-www-form-urlencoded unless told otherwise.
        HttpResponse<String> form = post("{\"query\":\"{ __typename }\"}", "application/x-www-form-urlencoded");
        HttpResponse<String> none =
                send(request("/graphql").POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"{ __typename }\"}")));
        // the old GraphQL-over-HTTP type, which Spring for GraphQL 2 no longer reads
        HttpResponse<String> graphQl = post("{ __typename }", "application/graphql");
        for (HttpResponse<String> refused : List.of(form, none, graphQl)) {
            assertThat(refused.statusCode()).isEqualTo(415);
            assertThat(refused.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
            assertThat(refused.body())
                    .contains("\"acceptedContentTypes\":[\"application/json\"]")
                    .contains("Content-Type: application/json");
        }
        assertThat(form.body()).contains("'application/x-www-form-urlencoded").contains("is not supported");
    }

    @Test
    void aSubscriptionOverPlainHttpGets400NamingTheWaysThatWork() throws Exception {
        String subscription = "subscription { wiringChanged(serialNumbers: [\"SN-1\"]) { type } }";
        HttpResponse<String> byPost =
                post("{\"query\":\"" + subscription.replace("\"", "\\\"") + "\"}", "application/json");
        HttpResponse<String> byGet =
                send(request("/graphql?query=" + URLEncoder.encode(subscription, StandardCharsets.UTF_8))
                        .GET());
        for (HttpResponse<String> refused : List.of(byPost, byGet)) {
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(refused.body())
                    .contains("ws://localhost:" + port + "/graphql")
                    .contains("text/event-stream")
                    .doesNotContain("upstreamPublisher");
        }
    }

    @Test
    void aSubscriptionFollowsLiveChangesOverServerSentEvents() throws Exception {
        var firstEvent = client.sendAsync(
                        request("/graphql")
                                .header("Content-Type", "application/json")
                                .header("Accept", "text/event-stream")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"subscription {"
                                        + " wiringChanged(serialNumbers: [\\\"SN-1\\\"]) { type port } }\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofLines())
                .thenApply(response -> {
                    // Closing the lines ends the subscription.
                    try (var lines = response.body()) {
                        return response.statusCode() + " "
                                + lines.filter(line -> line.startsWith("data:"))
                                        .findFirst()
                                        .orElseThrow();
                    }
                });
        // The response starts with the first event; until then it is not known when the subscription listens.
        for (int i = 0; i < 100 && !firstEvent.isDone(); i++) {
            http.document("mutation { unlink(input: {end: {serialNumber: \"SN-1\", port: P}}) { changed } }")
                    .executeAndVerify();
            http.document("mutation { link(input: {a: {serialNumber: \"SN-1\", port: P},"
                            + " b: {serialNumber: \"SN-2\", port: Q}}) { changed } }")
                    .executeAndVerify();
            Thread.sleep(100);
        }
        assertThat(firstEvent.get(10, java.util.concurrent.TimeUnit.SECONDS))
                .startsWith("200 data:")
                .contains("\"wiringChanged\"")
                .contains("\"port\":\"P\"");
    }

    @Test
    void errorsTomcatAnswersBeforeSpringAreJsonToo() throws Exception {
        Map<String, String> requests = Map.of(
                "a 20 KB header",
                "GET /graphql HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "x".repeat(20_000) + "\r\n",
                "a control character in a header",
                "GET /graphql HTTP/1.1\r\nHost: localhost\r\nX-Bad: a\u0001b\r\n",
                "a malformed URL",
                "GET /graphql/%zz HTTP/1.1\r\nHost: localhost\r\n");
        for (var request : requests.entrySet()) {
            String response;
            try (Socket socket = new Socket("localhost", port)) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream()
                        .write((request.getValue() + "Connection: close\r\n\r\n")
                                .getBytes(StandardCharsets.ISO_8859_1));
                response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            }
            assertThat(response)
                    .as(request.getKey())
                    .startsWith("HTTP/1.1 400")
                    .containsIgnoringCase("Content-Type: application/json")
                    .contains("{\"code\":\"BAD_REQUEST\",\"message\":\"")
                    .doesNotContainIgnoringCase("<html")
                    .doesNotContain("Tomcat");
        }
    }

    @Test
    void userMistakesNeverGiveA500OrAStackTrace() throws Exception {
        HttpResponse<String> malformed = post("{\"query\": \"{ widget(", "application/json");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body()).contains("not a valid GraphQL request").contains("line 1");

        HttpResponse<String> syntax = post("{\"query\":\"{ widget(serialNumber: ) { name } }\"}", "application/json");
        assertThat(syntax.statusCode()).isLessThan(500);
        assertThat(syntax.body()).contains("errors").contains("InvalidSyntax").doesNotContain("at com.");

        HttpResponse<String> unknownField =
                post("{\"query\":\"{ widget(serialNumber: \\\"SN-1\\\") { colour } }\"}", "application/json");
        assertThat(unknownField.statusCode()).isLessThan(500);
        assertThat(unknownField.body()).contains("colour").contains("ValidationError");

        HttpResponse<String> badEnum = post(
                "{\"query\":\"mutation($p: [PortType!]!) { addWidget(input: {serialNumber: \\\"X\\\", name: \\\"x\\\","
                        + " ports: $p}) { changed } }\",\"variables\":{\"p\":[\"Z\"]}}",
                "application/json");
        assertThat(badEnum.statusCode()).isLessThan(500);
        assertThat(badEnum.body()).contains("errors").doesNotContain("INTERNAL_ERROR");

        HttpResponse<String> refused = post(
                "{\"query\":\"mutation { link(input: {a: {serialNumber: \\\"SN-4\\\", port: P},"
                        + " b: {serialNumber: \\\"SN-2\\\", port: Q}}) { changed } }\"}",
                "application/json");
        assertThat(refused.statusCode()).isEqualTo(200);
        assertThat(refused.body()).contains("\"code\":\"PORT_BUSY\"").contains("SN-2.Q is already linked to SN-1.P");
    }

    @Test
    void refusesAnUnprintableActorNamingTheHeader() {
        http.mutate()
                .header("X-Actor", "x".repeat(200))
                .build()
                .document("mutation { removeWidget(input: {serialNumber: \"SN-4\"}) { changed } }")
                .execute()
                .errors()
                .satisfy(errors -> assertThat(errors).singleElement().satisfies(error -> {
                    assertThat(error.getExtensions())
                            .containsEntry("code", "INVALID_INPUT")
                            .containsEntry("field", "X-Actor");
                    assertThat(error.getErrorType().toString()).isEqualTo("BAD_REQUEST");
                }));
        assertThat(store.widget("SN-4")).isPresent();
    }

    @Test
    void theFrontPageIsTheConsoleAndLinksGraphiQlTheSchemaHealthAndTheReadme() throws Exception {
        HttpResponse<String> page = send(request("/").GET());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
        Matcher links = Pattern.compile("(?:href|src)=\"([^\"#][^\"]*)\"").matcher(page.body());
        List<String> hrefs = links.results()
                .map(link -> link.group(1))
                .filter(href -> !href.startsWith("data:"))
                .toList();
        assertThat(hrefs)
                .contains("graphiql", "graphql/schema", "actuator/health", "README.md")
                .contains("console/main.js", "console/console.css")
                .allSatisfy(href -> assertThat(href).doesNotContain("//"));
        for (String href : hrefs) {
            // the page and what it loads hold no data: served before anyone signs in
            HttpResponse<String> anonymous = client.send(
                    HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/" + href))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).as(href).isEqualTo(200);
        }
        assertThat(send(request("/README.md").GET()).body()).startsWith("# Widgets wiring service");
    }

    @Test
    void theReadmeTheDocsAndTheSamplesItLinksNeedNoToken() throws Exception {
        HttpResponse<String> readme = client.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/README.md"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(readme.statusCode()).isEqualTo(200);
        List<String> links = Pattern.compile("\\]\\(((?:docs|samples)/[^)#]+)[)#]")
                .matcher(readme.body())
                .results()
                .map(link -> link.group(1))
                .distinct()
                .toList();
        assertThat(links).contains("docs/graphql.md", "docs/security.md", "samples/rewire.csv");
        for (String link : links) {
            HttpResponse<String> page = client.send(
                    HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/" + link))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).as(link).isEqualTo(200);
        }
    }

    @Test
    void printsTheSchema() throws Exception {
        HttpResponse<String> schema = send(request("/graphql/schema").GET());
        assertThat(schema.statusCode()).isEqualTo(200);
        assertThat(schema.body())
                .contains("type Widget")
                .contains("wiringChanged(after: String, serialNumbers: [ID!]): WiringEvent!");
    }

    @Test
    void servesGraphiQlAndAllItsAssetsFromTheApplication() throws Exception {
        HttpResponse<String> page = send(request("/graphiql").GET());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
        assertThat(page.body()).doesNotContain("https://").contains("isHeadersEditorEnabled: true");
        Matcher assets = Pattern.compile("(?:src|href)=\"(/webjars/[^\"]+)\"").matcher(page.body());
        int count = 0;
        while (assets.find()) {
            count++;
            HttpResponse<String> asset = send(request(assets.group(1)).GET());
            assertThat(asset.statusCode()).as(assets.group(1)).isEqualTo(200);
        }
        assertThat(count).as("stylesheet, react, react-dom, graphiql").isEqualTo(4);
    }

    @Test
    void answersIntrospectionAsGraphiQlSendsIt() {
        // GraphiQL's own introspection query nests deeper than max-depth; introspection is exempt from it.
        String typeRef = "kind name" + " ofType { kind name".repeat(8) + " }".repeat(8);
        http.document("{ __schema { types { name fields { name args { name type { " + typeRef + " } } } } } }")
                .execute()
                .errors()
                .verify();
    }
}
