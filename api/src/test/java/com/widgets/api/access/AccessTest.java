package com.widgets.api.access;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.api.ApiTest;
import com.widgets.api.Fixtures;
import com.widgets.api.GraphQlSockets;
import com.widgets.db.WiringStore;
import com.zaxxer.hikari.HikariDataSource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.graphql.test.tester.WebSocketGraphQlTester;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Every door against every role: no token is 401, a token without the role 403, the right role passes — over GraphQL
 * POST and GET, the WebSocket, the seed REST writes, uploads, job status, reject reports, the export and Actuator. An
 * expired, forged or revoked token is refused; the actor in the history is the token's subject; a page on another
 * site cannot write.
 */
@ApiTest
class AccessTest {

    private static final String QUERY = "{ widget(serialNumber: \"AC-1\") { serialNumber } }";
    private static final String MUTATION =
            "mutation { addWidget(input: {serialNumber: \"AC-2\", name: \"two\", ports: [P]}) { widget { serialNumber } } }";
    private static final String START_REWIRING =
            "mutation { startRewiring(input: {path: \"/etc/passwd.csv\"}) { id } }";

    @LocalServerPort
    int port;

    @Autowired
    ApiTokens tokens;

    @Autowired
    WiringStore store;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    DataSource dataSource;

    Http http;
    String viewer;
    String operator;

    @BeforeEach
    void tokens() {
        http = new Http(port);
        viewer = tokens.mint(Role.VIEWER, "vera", null).secret();
        operator = tokens.mint(Role.OPERATOR, "otto", null).secret();
        jdbc.update("DELETE FROM widget WHERE serial_number LIKE 'AC-%'");
        jdbc.update("DELETE FROM wiring_history WHERE serial_number LIKE 'AC-%'");
        store.addWidget(
                "AC-1", "one", java.util.Set.of(com.widgets.db.PortType.P), com.widgets.db.Origin.request("t", "t"));
    }

    private static String code(HttpResponse<String> response) {
        java.util.regex.Matcher code =
                java.util.regex.Pattern.compile("\"code\":\"([A-Z_]+)\"").matcher(response.body());
        return code.find() ? code.group(1) : null;
    }

    @Test
    void meNamesTheCallerAndTheRoleOfTheirToken() throws Exception {
        String me = "{ me { subject role } }";
        assertThat(http.graphQl(viewer, me).body()).contains("\"subject\":\"vera\"", "\"role\":\"VIEWER\"");
        assertThat(http.graphQl(operator, me).body()).contains("\"subject\":\"otto\"", "\"role\":\"OPERATOR\"");
        assertThat(http.graphQl(Fixtures.ADMIN_TOKEN, me).body())
                .contains("\"subject\":\"admin\"", "\"role\":\"ADMIN\"");
        assertThat(http.graphQl(null, me).statusCode()).isEqualTo(401);
    }

    @Test
    void graphQlOverPostAndGetNeedsTheRoleOfItsOperation() throws Exception {
        assertThat(http.graphQl(null, QUERY).statusCode()).isEqualTo(401);
        assertThat(code(http.graphQl(null, QUERY))).isEqualTo("UNAUTHENTICATED");
        assertThat(http.graphQl(null, QUERY).headers().firstValue("WWW-Authenticate"))
                .hasValue("Bearer");
        assertThat(http.graphQl(viewer, QUERY).statusCode()).isEqualTo(200);
        assertThat(http.graphQl(viewer, QUERY).body()).contains("\"serialNumber\":\"AC-1\"");

        HttpResponse<String> refused = http.graphQl(viewer, MUTATION);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(code(refused)).isEqualTo("FORBIDDEN");
        assertThat(refused.body()).contains("addWidget").contains("operator").contains("vera");
        assertThat(store.widget("AC-2")).isEmpty();
        assertThat(http.graphQl(operator, MUTATION).body()).contains("\"serialNumber\":\"AC-2\"");

        assertThat(http.graphQl(operator, START_REWIRING).statusCode()).isEqualTo(403);
        HttpResponse<String> asAdmin = http.graphQl(Fixtures.ADMIN_TOKEN, START_REWIRING);
        assertThat(asAdmin.statusCode()).isEqualTo(200);
        assertThat(code(asAdmin)).isNotIn("FORBIDDEN", "UNAUTHENTICATED");

        String get = "/graphql?query=" + java.net.URLEncoder.encode(QUERY, StandardCharsets.UTF_8);
        assertThat(http.send("GET", get, null, null, null).statusCode()).isEqualTo(401);
        assertThat(http.send("GET", get, viewer, null, null).statusCode()).isEqualTo(200);

        // the schema is no secret: GraphiQL reads it before a token is pasted
        assertThat(http.graphQl(null, "{ __schema { queryType { name } } }").statusCode())
                .isEqualTo(200);
        // a fragment cannot smuggle a mutation's field past the check
        assertThat(http.graphQl(
                                viewer,
                                "mutation { ...m } fragment m on Mutation { removeWidget(input: {serialNumber: \"AC-1\"}) { changed } }")
                        .statusCode())
                .isEqualTo(403);
        assertThat(store.widget("AC-1")).isPresent();
    }

    @Test
    void restDoorsNeedTheirRoles() throws Exception {
        String add = "{\"name\": \"two\", \"serial_number\": \"AC-2\", \"ports\": [\"P\"]}";
        assertThat(http.send("POST", "/widgets", null, "application/json", add).statusCode())
                .isEqualTo(401);
        assertThat(http.send("POST", "/widgets", viewer, "application/json", add)
                        .statusCode())
                .isEqualTo(403);
        assertThat(code(http.send("POST", "/widgets", viewer, "application/json", add)))
                .isEqualTo("FORBIDDEN");
        assertThat(store.widget("AC-2")).isEmpty();
        assertThat(http.send("POST", "/widgets", operator, "application/json", add)
                        .statusCode())
                .isEqualTo(201);
        assertThat(http.send("DELETE", "/widgets/AC-2", viewer, null, null).statusCode())
                .isEqualTo(403);
        assertThat(http.send("DELETE", "/widgets/AC-2", operator, null, null).statusCode())
                .isEqualTo(200);

        String file = "op,a_serial,a_port,b_serial,b_port\n";
        assertThat(http.send("POST", "/rewiring/jobs?filename=a.csv", null, "text/csv", file)
                        .statusCode())
                .isEqualTo(401);
        assertThat(http.send("POST", "/rewiring/jobs?filename=a.csv", viewer, "text/csv", file)
                        .statusCode())
                .isEqualTo(403);
        assertThat(http.send("GET", "/rewiring/jobs/999999999", null, null, null)
                        .statusCode())
                .isEqualTo(401);
        assertThat(http.send("GET", "/rewiring/jobs/999999999", viewer, null, null)
                        .statusCode())
                .isEqualTo(404);
        assertThat(http.send("GET", "/rewiring/jobs/999999999/rejects", null, null, null)
                        .statusCode())
                .isEqualTo(401);
        assertThat(http.send("GET", "/rewiring/jobs/999999999/rejects", viewer, null, null)
                        .statusCode())
                .isEqualTo(404);
        assertThat(http.send("GET", "/rewiring/export", null, null, null).statusCode())
                .isEqualTo(401);
        assertThat(http.send("GET", "/rewiring/export", operator, null, null).statusCode())
                .isEqualTo(403);
        assertThat(http.send("GET", "/rewiring/export", Fixtures.ADMIN_TOKEN, null, null)
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void actuatorIsForAdminsButItsHealthProbesArePublic() throws Exception {
        for (String probe : List.of("/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness")) {
            assertThat(http.send("GET", probe, null, null, null).statusCode())
                    .as(probe)
                    .isEqualTo(200);
        }
        assertThat(http.send("GET", "/actuator/metrics", null, null, null).statusCode())
                .isEqualTo(401);
        assertThat(http.send("GET", "/actuator/metrics", operator, null, null).statusCode())
                .isEqualTo(403);
        assertThat(http.send("GET", "/actuator/metrics", Fixtures.ADMIN_TOKEN, null, null)
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void expiredForgedAndRevokedTokensAreRefused() throws Exception {
        ApiTokens.Minted shortLived = tokens.mint(Role.ADMIN, "brief", Duration.ofMillis(1));
        Thread.sleep(20);
        HttpResponse<String> expired = http.graphQl(shortLived.secret(), QUERY);
        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(expired.body()).contains("expired");

        String forged = ApiTokens.PREFIX + "A".repeat(43);
        assertThat(http.graphQl(forged, QUERY).statusCode()).isEqualTo(401);
        assertThat(http.graphQl("not-a-token-at-all", QUERY).statusCode()).isEqualTo(401);
        assertThat(http.graphQl(Fixtures.ADMIN_TOKEN + "x", QUERY).statusCode()).isEqualTo(401);

        ApiTokens.Minted revoked = tokens.mint(Role.OPERATOR, "gone", null);
        assertThat(http.graphQl(revoked.secret(), QUERY).statusCode()).isEqualTo(200);
        assertThat(tokens.revoke(revoked.token().id())).isTrue();
        HttpResponse<String> afterRevoke = http.graphQl(revoked.secret(), QUERY);
        assertThat(afterRevoke.statusCode()).isEqualTo(401);
        assertThat(afterRevoke.body()).contains("revoked").doesNotContain(revoked.secret());
    }

    @Test
    void theActorIsTheTokensSubjectAndOnlyAnAdminMayActForSomeoneElse() throws Exception {
        Map<String, String> forging = Map.of("X-Actor", "mallory");
        http.send(
                "POST",
                "/graphql",
                operator,
                "application/json",
                "{\"query\": " + Http.quoted(MUTATION) + "}",
                forging);
        assertThat(actors("AC-2")).containsExactly("otto");
        http.send("DELETE", "/widgets/AC-2", operator, null, null, forging);
        assertThat(actors("AC-2")).containsExactly("otto", "otto");
        http.send(
                "POST",
                "/widgets",
                Fixtures.ADMIN_TOKEN,
                "application/json",
                "{\"name\": \"two\", \"serial_number\": \"AC-2\", \"ports\": [\"P\"]}",
                Map.of("X-Actor", "bob"));
        assertThat(actors("AC-2")).containsExactly("otto", "otto", "bob");
    }

    private List<String> actors(String serial) {
        return jdbc.queryForList(
                "SELECT actor FROM wiring_history WHERE serial_number = ? ORDER BY id", String.class, serial);
    }

    @Test
    void aPageOnAnotherSiteCannotWrite() throws Exception {
        // the request that once removed a widget: fetch(..., {mode: 'no-cors', headers: {'Content-Type':
        // 'text/plain'}})
        Map<String, String> crossSite = Map.of("Origin", "http://127.0.0.1:8099", "Referer", "http://127.0.0.1:8099/");
        String body = "{\"name\":\"one\",\"serial_number\":\"AC-1\"}";
        for (String token : new String[] {null, operator}) {
            HttpResponse<String> refused = http.send("POST", "/delete", token, "text/plain", body, crossSite);
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(code(refused)).isEqualTo("CROSS_ORIGIN_REFUSED");
            assertThat(refused.headers().firstValue("Access-Control-Allow-Origin"))
                    .isEmpty();
            HttpResponse<String> upload = http.send(
                    "POST",
                    "/rewiring/jobs?filename=a.csv",
                    token,
                    "multipart/form-data; boundary=x",
                    "--x--",
                    crossSite);
            assertThat(upload.statusCode()).isEqualTo(403);
        }
        // the preflight a browser sends before a request with a token is refused too
        HttpResponse<String> preflight = http.send(
                "OPTIONS",
                "/delete",
                null,
                null,
                null,
                Map.of(
                        "Origin", "http://127.0.0.1:8099",
                        "Access-Control-Request-Method", "POST",
                        "Access-Control-Request-Headers", "authorization,content-type"));
        assertThat(preflight.statusCode()).isEqualTo(403);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin"))
                .isEmpty();
        // and from the same origin (or curl), text/plain and forms are not taken as JSON or uploads
        assertThat(http.send("POST", "/delete", null, "text/plain", body).statusCode())
                .isEqualTo(401);
        assertThat(http.send("POST", "/delete", operator, "text/plain", body).statusCode())
                .isEqualTo(415);
        assertThat(http.send(
                                "POST",
                                "/rewiring/jobs?filename=a.csv",
                                operator,
                                "application/x-www-form-urlencoded",
                                "op\n")
                        .statusCode())
                .isEqualTo(415);
        assertThat(store.widget("AC-1")).isPresent();
        // the same origin as the service is no cross-origin request: GraphiQL's own requests pass
        assertThat(http.send(
                                "POST",
                                "/graphql",
                                viewer,
                                "application/json",
                                "{\"query\": " + Http.quoted(QUERY) + "}",
                                Map.of("Origin", "http://localhost:" + port))
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void theWebSocketSignsInAtConnectionInit() {
        WebSocketGraphQlTester anonymous = GraphQlSockets.connectAs(port, Map.of());
        try {
            org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                            anonymous.document(QUERY).execute().path("widget").hasValue())
                    // the server closes with 4401; on a loaded machine the client may see the socket drop first (1006)
                    .satisfies(refused -> assertThat(refused.getMessage()).containsAnyOf("4401", "1006"));
        } finally {
            GraphQlSockets.close(anonymous);
        }
        WebSocketGraphQlTester forged =
                GraphQlSockets.connectAs(port, Map.of("Authorization", "Bearer " + ApiTokens.PREFIX + "B".repeat(43)));
        try {
            org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                            forged.document(QUERY).execute().path("widget").hasValue())
                    // the server closes with 4401; on a loaded machine the client may see the socket drop first (1006)
                    .satisfies(refused -> assertThat(refused.getMessage()).containsAnyOf("4401", "1006"));
        } finally {
            GraphQlSockets.close(forged);
        }
        WebSocketGraphQlTester asViewer = GraphQlSockets.connectAs(port, Map.of("Authorization", "Bearer " + viewer));
        try {
            asViewer.document(QUERY)
                    .execute()
                    .path("widget.serialNumber")
                    .entity(String.class)
                    .isEqualTo("AC-1");
            asViewer.document(MUTATION).execute().errors().satisfy(errors -> {
                assertThat(errors).hasSize(1);
                assertThat(errors.get(0).getExtensions()).containsEntry("code", "FORBIDDEN");
            });
            assertThat(store.widget("AC-2")).isEmpty();
        } finally {
            GraphQlSockets.close(asViewer);
        }
        WebSocketGraphQlTester asOperator = GraphQlSockets.connectAs(
                port, Map.of("headers", Map.of("Authorization", "Bearer " + operator, "X-Actor", "mallory")));
        try {
            asOperator
                    .document(MUTATION)
                    .execute()
                    .path("addWidget.widget.serialNumber")
                    .entity(String.class)
                    .isEqualTo("AC-2");
        } finally {
            GraphQlSockets.close(asOperator);
        }
        assertThat(actors("AC-2")).containsExactly("otto");
    }

    /**
     * The command runs in this JVM here, and its start sets the one logging system's root level to WARN: put back the
     * service's INFO, or tests that read the service's log lines afterwards would find none.
     */
    @AfterEach
    void serviceLogLevel() {
        LoggingSystem.get(getClass().getClassLoader()).setLogLevel(LoggingSystem.ROOT_LOGGER_NAME, LogLevel.INFO);
    }

    @Test
    void theTokenCommandMintsListsAndRevokes() throws Exception {
        HikariDataSource hikari = (HikariDataSource) dataSource;
        String[] database = {
            "--spring.datasource.url=" + hikari.getJdbcUrl(),
            "--spring.datasource.username=" + hikari.getUsername(),
            "--spring.datasource.password=" + (hikari.getPassword() == null ? "" : hikari.getPassword())
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int minted = TokenCommand.run(
                new PrintStream(out, true, StandardCharsets.UTF_8),
                concat(new String[] {"mint", "--role=operator", "--subject=cli-user", "--valid-for=1h"}, database));
        assertThat(minted).isZero();
        String secret = out.toString(StandardCharsets.UTF_8).lines().findFirst().orElseThrow();
        assertThat(secret).startsWith(ApiTokens.PREFIX);
        assertThat(http.graphQl(secret, MUTATION).body()).contains("\"serialNumber\":\"AC-2\"");
        assertThat(actors("AC-2")).containsExactly("cli-user");

        long id = tokens.list().stream()
                .filter(token -> token.subject().equals("cli-user"))
                .mapToLong(ApiTokens.ApiToken::id)
                .max()
                .orElseThrow();
        out.reset();
        assertThat(TokenCommand.run(
                        new PrintStream(out, true, StandardCharsets.UTF_8), concat(new String[] {"list"}, database)))
                .isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("cli-user").doesNotContain(secret);
        assertThat(TokenCommand.run(
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        concat(new String[] {"revoke", "--id=" + id}, database)))
                .isZero();
        assertThat(http.graphQl(secret, QUERY).statusCode()).isEqualTo(401);
        assertThat(TokenCommand.run(
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        concat(new String[] {"revoke", "--id=" + id}, database)))
                .isEqualTo(1);
        assertThat(TokenCommand.run(
                        new PrintStream(out, true, StandardCharsets.UTF_8), "mint", "--role=root", "--subject=x"))
                .isEqualTo(2);
        assertThat(TokenCommand.run(new PrintStream(out, true, StandardCharsets.UTF_8), "dance"))
                .isEqualTo(2);
    }

    @Test
    void theFirstStartTokenIsMintedOnceEver() {
        jdbc.update("DELETE FROM api_token WHERE first_start");
        java.util.Optional<ApiTokens.Minted> first = tokens.mintFirstStart();
        assertThat(first).isPresent();
        assertThat(first.get().token().role()).isEqualTo(Role.ADMIN);
        assertThat(tokens.mintFirstStart()).isEmpty();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM api_token WHERE token_hash = ?", Integer.class, (Object)
                        first.get().secret().getBytes(StandardCharsets.UTF_8)))
                .as("only the hash is stored")
                .isZero();
    }

    private static String[] concat(String[] a, String[] b) {
        String[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    @Test
    void theConsolesPagesRunOnlyTheirOwnScripts() throws Exception {
        for (String page : List.of("/", "/index.html", "/console/main.js")) {
            HttpResponse<String> response = http.send("GET", page, null, null, null);
            assertThat(response.statusCode()).as(page).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Security-Policy"))
                    .as(page)
                    .hasValueSatisfying(policy ->
                            assertThat(policy).contains("script-src 'self'").contains("frame-ancestors 'none'"));
        }
        assertThat(http.send("GET", "/", null, null, null).headers().firstValue("X-Content-Type-Options"))
                .hasValue("nosniff");
    }
}
