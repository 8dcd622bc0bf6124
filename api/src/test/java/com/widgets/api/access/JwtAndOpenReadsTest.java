package com.widgets.api.access;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.widgets.api.Fixtures;
import com.widgets.api.GraphQlSockets;
import com.widgets.db.Origin;
import com.widgets.db.PortType;
import com.widgets.db.WiringStore;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.graphql.test.tester.WebSocketGraphQlTester;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The production set-up: JWTs from an issuer (here a key of the test's own; an issuer URI works the same way) with
 * the role in a claim, beside the admin token; reads open to anyone ({@code widgets.security.open-reads}); one other
 * origin allowed to call from a browser.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "widgets.security.open-reads=true",
            "widgets.security.role-claim=widgets_roles",
            "widgets.security.cors-allowed-origins=http://console.example:8099"
        })
class JwtAndOpenReadsTest {

    private static final KeyPair ISSUER = keys();
    private static final KeyPair STRANGER = keys();
    private static final String QUERY = "{ widget(serialNumber: \"JW-1\") { serialNumber } }";
    private static final String MUTATION =
            "mutation { addWidget(input: {serialNumber: \"JW-2\", name: \"two\", ports: [P]}) { widget { serialNumber } } }";

    @DynamicPropertySource
    static void issuerKey(DynamicPropertyRegistry registry) throws IOException {
        Path pem = Files.createTempFile("issuer", ".pem");
        pem.toFile().deleteOnExit();
        Files.writeString(
                pem,
                "-----BEGIN PUBLIC KEY-----\n"
                        + Base64.getMimeEncoder()
                                .encodeToString(ISSUER.getPublic().getEncoded())
                        + "\n-----END PUBLIC KEY-----\n");
        registry.add(
                "spring.security.oauth2.resourceserver.jwt.public-key-location",
                () -> pem.toUri().toString());
    }

    @LocalServerPort
    int port;

    @Autowired
    WiringStore store;

    @Autowired
    JdbcTemplate jdbc;

    Http http;

    @BeforeEach
    void widget() {
        http = new Http(port);
        jdbc.update("DELETE FROM widget WHERE serial_number LIKE 'JW-%'");
        jdbc.update("DELETE FROM wiring_history WHERE serial_number LIKE 'JW-%'");
        store.addWidget("JW-1", "one", Set.of(PortType.P), Origin.request("t", "t"));
    }

    private static KeyPair keys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String jwt(KeyPair signer, String subject, Object roles, Instant expires) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject(subject)
                .issueTime(Date.from(expires.minusSeconds(3600)))
                .expirationTime(Date.from(expires));
        if (roles != null) {
            claims.claim("widgets_roles", roles);
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims.build());
        try {
            jwt.sign(new RSASSASigner((RSAPrivateKey) signer.getPrivate()));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    private static Instant inAnHour() {
        return Instant.now().plusSeconds(3600);
    }

    @Test
    void aJwtsRoleClaimDecidesAndItsSubjectIsTheActor() throws Exception {
        String operator = jwt(ISSUER, "olga@example.com", List.of("viewer", "operator"), inAnHour());
        assertThat(http.graphQl(operator, MUTATION).body()).contains("\"serialNumber\":\"JW-2\"");
        assertThat(jdbc.queryForList("SELECT actor FROM wiring_history WHERE serial_number = 'JW-2'", String.class))
                .containsExactly("olga@example.com");

        String viewer = jwt(ISSUER, "vic", "viewer", inAnHour());
        assertThat(http.graphQl(viewer, QUERY).statusCode()).isEqualTo(200);
        assertThat(http.graphQl(viewer, MUTATION).statusCode()).isEqualTo(403);

        String noRole = jwt(ISSUER, "nobody", null, inAnHour());
        HttpResponse<String> refused = http.graphQl(noRole, QUERY);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("no role of this service");

        assertThat(http.send("GET", "/actuator/metrics", jwt(ISSUER, "ada", "admin", inAnHour()), null, null)
                        .statusCode())
                .isEqualTo(200);
        // the admin token works beside the issuer's tokens
        assertThat(http.send("GET", "/actuator/metrics", Fixtures.ADMIN_TOKEN, null, null)
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void anExpiredOrForeignJwtIsRefused() throws Exception {
        HttpResponse<String> expired =
                http.graphQl(jwt(ISSUER, "late", "admin", Instant.now().minusSeconds(600)), QUERY);
        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(expired.body()).containsIgnoringCase("expired");
        assertThat(http.graphQl(jwt(STRANGER, "mallory", "admin", inAnHour()), MUTATION)
                        .statusCode())
                .isEqualTo(401);
        String tampered = jwt(ISSUER, "vic", "viewer", inAnHour());
        String[] parts = tampered.split("\\.");
        String adminClaims = Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(("{\"sub\":\"vic\",\"widgets_roles\":\"admin\",\"exp\":"
                                + inAnHour().getEpochSecond() + "}")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(http.graphQl(parts[0] + "." + adminClaims + "." + parts[2], MUTATION)
                        .statusCode())
                .isEqualTo(401);
        assertThat(store.widget("JW-2")).isEmpty();
    }

    @Test
    void openReadsLetAnyoneReadButNotWrite() throws Exception {
        assertThat(http.graphQl(null, QUERY).body()).contains("\"serialNumber\":\"JW-1\"");
        assertThat(http.send("GET", "/rewiring/jobs/999999999", null, null, null)
                        .statusCode())
                .isEqualTo(404);
        assertThat(http.graphQl(null, MUTATION).statusCode()).isEqualTo(401);
        assertThat(http.send("GET", "/rewiring/export", null, null, null).statusCode())
                .isEqualTo(401);
        assertThat(http.send("GET", "/actuator/metrics", null, null, null).statusCode())
                .isEqualTo(401);
        WebSocketGraphQlTester anonymous = GraphQlSockets.connectAs(port, Map.of());
        try {
            anonymous
                    .document(QUERY)
                    .execute()
                    .path("widget.serialNumber")
                    .entity(String.class)
                    .isEqualTo("JW-1");
            anonymous
                    .document(MUTATION)
                    .execute()
                    .errors()
                    .satisfy(errors ->
                            assertThat(errors.get(0).getExtensions()).containsEntry("code", "UNAUTHENTICATED"));
        } finally {
            GraphQlSockets.close(anonymous);
        }
        assertThat(store.widget("JW-2")).isEmpty();
    }

    @Test
    void theWebSocketTakesAJwtInConnectionInit() {
        String operator = jwt(ISSUER, "wendy", "operator", inAnHour());
        WebSocketGraphQlTester socket = GraphQlSockets.connectAs(port, Map.of("Authorization", "Bearer " + operator));
        try {
            socket.document(MUTATION)
                    .execute()
                    .path("addWidget.widget.serialNumber")
                    .entity(String.class)
                    .isEqualTo("JW-2");
        } finally {
            GraphQlSockets.close(socket);
        }
        assertThat(jdbc.queryForList("SELECT actor FROM wiring_history WHERE serial_number = 'JW-2'", String.class))
                .containsExactly("wendy");
    }

    @Test
    void anAllowedOriginMayCallFromABrowserAndOthersMayNot() throws Exception {
        Map<String, String> preflight = Map.of(
                "Origin", "http://console.example:8099",
                "Access-Control-Request-Method", "POST",
                "Access-Control-Request-Headers", "authorization,content-type");
        HttpResponse<String> allowed = http.send("OPTIONS", "/graphql", null, null, null, preflight);
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://console.example:8099");
        HttpResponse<String> other = http.send(
                "OPTIONS",
                "/graphql",
                null,
                null,
                null,
                Map.of(
                        "Origin", "http://evil.example",
                        "Access-Control-Request-Method", "POST",
                        "Access-Control-Request-Headers", "authorization,content-type"));
        assertThat(other.statusCode()).isEqualTo(403);
        HttpResponse<String> call = http.send(
                "POST",
                "/graphql",
                null,
                "application/json",
                "{\"query\": " + Http.quoted(QUERY) + "}",
                Map.of("Origin", "http://console.example:8099"));
        assertThat(call.statusCode()).isEqualTo(200);
        assertThat(call.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://console.example:8099");
    }
}
