package com.widgets.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.db.testing.WiringDatabase;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.graphql.test.tester.GraphQlTester;
import org.springframework.graphql.test.tester.WebSocketGraphQlTester;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The service as shipped, with JSON logs on (ECS) and Spring's web and GraphQL logging at DEBUG: each log line is a JSON
 * object, the lines a request causes carry its request id (GraphQL over POST and GET, REST, a WebSocket operation),
 * and the bearer token the requests carry — header or {@code connection_init} payload — is in no line. It runs in a
 * JVM of its own on the tests' database: the log format is set once per JVM, and the other tests' logs stay as they
 * are.
 */
@ApiTest
class StructuredLogsTest {

    private static final String TOKEN = "secret-xyz";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    JdbcConnectionDetails database;

    @Autowired
    JdbcTemplate jdbc;

    @TempDir
    Path temp;

    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void jsonLinesCarryTheRequestIdAndNeverTheToken() throws Exception {
        new WiringDatabase(jdbc).reset();
        List<String> arguments = new ArrayList<>(List.of(
                "--spring.datasource.url=" + database.getJdbcUrl(),
                "--logging.structured.format.console=ecs",
                "--spring.main.banner-mode=off",
                "--logging.level.web=DEBUG",
                "--logging.level.org.springframework.graphql=DEBUG",
                "--logging.level.org.springframework.security=DEBUG",
                "--widgets.rewiring.recover-dead-jobs=false",
                // the token sent with every request is the service's admin token: it works, and must never be logged
                "--widgets.security.admin-token=" + TOKEN));
        if (database.getUsername() != null) {
            arguments.add("--spring.datasource.username=" + database.getUsername());
        }
        if (database.getPassword() != null) {
            arguments.add("--spring.datasource.password=" + database.getPassword());
        }
        Set<String> requestIds;
        String output;
        try (ServiceProcess service = ServiceProcess.start(temp, arguments)) {
            String post = requestId(
                    send(
                            service,
                            request(service, "/graphql")
                                    .header("Content-Type", "application/json")
                                    .POST(
                                            HttpRequest.BodyPublishers.ofString(
                                                    "{\"query\":\"mutation { addWidget(input:"
                                                            + " {serialNumber: \\\"LOG-1\\\", name: \\\"log\\\", ports: [P]}) { changed } }\"}"))));
            String get = requestId(send(
                    service,
                    request(
                                    service,
                                    "/graphql?query="
                                            + URLEncoder.encode(
                                                    "{ widget(serialNumber: \"LOG-1\") { name } }",
                                                    StandardCharsets.UTF_8))
                            .GET()));
            String rest = requestId(send(
                    service,
                    request(service, "/add")
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "{\"name\":\"log\",\"serial_number\":\"LOG-2\",\"port_type_p\":\"true\"}"))));
            String socket = webSocketRequestId(service.port());

            HttpResponse<String> scrape = send(service, request(service, "/actuator/prometheus"));
            assertThat(scrape.statusCode())
                    .as("the shipped settings expose Prometheus")
                    .isEqualTo(200);
            assertThat(scrape.body()).contains("graphql_request_seconds_count");

            requestIds = Set.of(post, get, rest, socket);
            output = service.output();
        }

        assertThat(output).doesNotContain(TOKEN);
        List<JsonNode> lines = output.lines()
                .filter(line -> !line.isBlank())
                .map(line -> {
                    assertThat(line).as("every line is a JSON object").startsWith("{");
                    return JSON.readTree(line);
                })
                .toList();
        Set<String> logged = lines.stream()
                .map(line -> line.path("requestId").asString(""))
                .filter(id -> !id.isEmpty())
                .collect(Collectors.toSet());
        assertThat(logged).as("request ids in the log:%n%s", output).containsAll(requestIds);
        assertThat(lines)
                .anySatisfy(line ->
                        assertThat(line.path("log").path("level").asString()).isEqualTo("DEBUG"));
    }

    private static String requestId(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isIn(200, 201);
        return response.headers().firstValue("X-Request-Id").orElseThrow();
    }

    /** A refused mutation over the WebSocket, with the token in connection_init as browsers send it. */
    private static String webSocketRequestId(int port) {
        WebSocketGraphQlTester ws = GraphQlSockets.connect(port, Map.of("Authorization", "Bearer " + TOKEN));
        try {
            GraphQlTester.Response response = ws.document("mutation { link(input: {a: {serialNumber: \"LOG-1\","
                            + " port: P}, b: {serialNumber: \"LOG-404\", port: Q}}) { changed } }")
                    .execute();
            response.errors().satisfy(errors -> assertThat(errors).isNotEmpty());
            return (String) response.returnResponse().getExtensions().get("requestId");
        } finally {
            GraphQlSockets.close(ws);
        }
    }

    private static HttpRequest.Builder request(ServiceProcess service, String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + service.port() + path))
                .header("Authorization", "Bearer " + TOKEN);
    }

    private HttpResponse<String> send(ServiceProcess service, HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
