package com.widgets.api.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.api.ApiTest;
import com.widgets.db.WiringStore;
import com.widgets.db.testing.WiringDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The seed documents' REST examples, sent as written but declared JSON and with a token (a form or text/plain body is
 * refused with 415: any page on another site may send those) against the real service, and the JSON errors with 400 /
 * 404 / 409 / 415.
 */
@ApiTest
class SeedRestTest {

    /** What {@code curl -d} sends as Content-Type. */
    private static final String CURL_FORM = "application/x-www-form-urlencoded";

    private static final String JSON = "application/json";

    @Autowired
    WiringStore store;

    @Autowired
    JdbcTemplate jdbc;

    @LocalServerPort
    int port;

    final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void empty() {
        new WiringDatabase(jdbc).reset();
    }

    @AfterEach
    void invariantsHold() {
        assertThat(new WiringDatabase(jdbc).invariantViolations()).isEmpty();
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        return send(method, path, body, JSON);
    }

    private HttpResponse<String> send(String method, String path, String body, String contentType) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", com.widgets.api.Fixtures.BEARER)
                .header("Content-Type", contentType);
        request.method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aFormOrTextBodyIsRefusedWith415NamingJsonAndChangesNothing() throws Exception {
        for (String type : new String[] {CURL_FORM, "text/plain", "text/plain;charset=UTF-8"}) {
            HttpResponse<String> refused = send(
                    "POST",
                    "/widgets",
                    "{\"name\": \"widget1\", \"serial_number\": \"123\", \"ports\": [\"P\"]}",
                    type);
            assertThat(refused.statusCode()).isEqualTo(415);
            assertThat(refused.body())
                    .contains("\"code\":\"UNSUPPORTED_MEDIA_TYPE\"")
                    .contains(type)
                    .contains("application/json");
        }
        assertThat(store.widget("123")).isEmpty();
    }

    @Test
    void theSecondSeedsCurlExamplesWorkAsJson() throws Exception {
        // curl -X POST -d '{"name": "widget1", "serial_number": "123", "ports": ["P", "R"]}' localhost:8080/widgets
        HttpResponse<String> first = send(
                "POST", "/widgets", "{\"name\": \"widget1\", \"serial_number\": \"123\", \"ports\": [\"P\", \"R\"]}");
        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(first.body()).contains("\"serial_number\":\"123\"").contains("\"changed\":true");
        // curl -X POST -d '{"name": "widget1", "serial_number": "321", "ports": ["P", "R"]}' localhost:8080/widgets
        assertThat(send(
                                "POST",
                                "/widgets",
                                "{\"name\": \"widget1\", \"serial_number\": \"321\", \"ports\": [\"P\", \"R\"]}")
                        .statusCode())
                .isEqualTo(201);
        // curl -X PUT -d '{"port_type": "P", "widget_serial_num": "123", "peer_widget_serial_num": "321"}'
        //     localhost:8080/widgets/associations
        HttpResponse<String> associated = send(
                "PUT",
                "/widgets/associations",
                "{\"port_type\": \"P\", \"widget_serial_num\": \"123\", \"peer_widget_serial_num\": \"321\"}");
        assertThat(associated.statusCode()).isEqualTo(201);
        assertThat(store.widget("123")
                        .orElseThrow()
                        .port(com.widgets.db.PortType.P)
                        .orElseThrow()
                        .peer())
                .hasToString("321.P");

        // DELETE /widgets/{serial_num}
        assertThat(send("DELETE", "/widgets/321", null).statusCode()).isEqualTo(200);
        assertThat(store.widget("123")
                        .orElseThrow()
                        .port(com.widgets.db.PortType.P)
                        .orElseThrow()
                        .isFree())
                .isTrue();
        HttpResponse<String> gone = send("DELETE", "/widgets/321", null);
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(gone.body()).contains("\"code\":\"WIDGET_NOT_FOUND\"");
    }

    @Test
    void theFirstSeedsPayloadsWorkWithStringBooleans() throws Exception {
        HttpResponse<String> added = send("POST", "/add", """
                {
                    "name":"Widget1",
                    "serial_number":"SN-123456",
                    "port_type_p":"true",
                    "port_type_r":"true",
                    "port_type_q":"false"
                }""");
        assertThat(added.statusCode()).isEqualTo(201);
        assertThat(added.body()).contains("\"port_type_p\":true", "\"port_type_q\":false");

        // The seed's own /link example links a widget to itself: refused, clearly.
        HttpResponse<String> self = send("POST", "/link", """
                {
                    "widget1": {
                        "name": "Widget1",
                        "serial_number": "SN-123456",
                        "connection_port": "Q"
                    },
                    "widget2":{
                        "name": "Widget1",
                        "serial_number": "SN-123456",
                        "connection_port": "P"
                    }
                }""");
        assertThat(self.statusCode()).isEqualTo(400);
        assertThat(self.body()).contains("\"code\":\"SELF_LINK\"").contains("\"message\":");

        send("POST", "/add", """
                {"name":"Widget2","serial_number":"SN-654321","port_type_p":"false","port_type_r":"false","port_type_q":"true"}""");
        HttpResponse<String> linked = send("POST", "/link", """
                {"widget1": {"name": "Widget1", "serial_number": "SN-123456", "connection_port": "P"},
                 "widget2": {"name": "Widget2", "serial_number": "SN-654321", "connection_port": "Q"}}""");
        assertThat(linked.statusCode()).isEqualTo(201);
        HttpResponse<String> busy = send("POST", "/link", """
                {"widget1": {"name": "Widget1", "serial_number": "SN-123456", "connection_port": "R"},
                 "widget2": {"name": "Widget2", "serial_number": "SN-654321", "connection_port": "Q"}}""");
        assertThat(busy.statusCode()).isEqualTo(409);
        assertThat(busy.body()).contains("\"code\":\"PORT_BUSY\"");

        HttpResponse<String> unlinked = send("POST", "/unlink", """
                {"widget1": {"name": "Widget1", "serial_number": "SN-123456", "connection_port": "P"}}""");
        assertThat(unlinked.statusCode()).isEqualTo(200);
        assertThat(unlinked.body()).contains("\"changed\":true");

        HttpResponse<String> wrongName = send("POST", "/delete", """
                {"name":"NotWidget1","serial_number":"SN-123456"}""");
        assertThat(wrongName.statusCode()).isEqualTo(409);
        assertThat(wrongName.body()).contains("\"code\":\"NAME_MISMATCH\"");

        HttpResponse<String> deleted = send("POST", "/delete", """
                {
                    "name":"Widget1",
                    "serial_number":"SN-123456"
                }""");
        assertThat(deleted.statusCode()).isEqualTo(200);
        assertThat(store.widget("SN-123456")).isEmpty();
    }

    @Test
    void badRequestsAreJsonErrorsNaming400() throws Exception {
        HttpResponse<String> malformed = send("POST", "/add", "{\"name\": \"x\", ");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body()).contains("\"code\":\"MALFORMED_JSON\"").contains("not valid JSON");

        HttpResponse<String> wrongType =
                send("POST", "/widgets", "{\"name\": \"x\", \"serial_number\": \"1\", \"ports\": 5}");
        assertThat(wrongType.statusCode()).isEqualTo(400);
        assertThat(wrongType.body()).contains("\"code\":\"INVALID_INPUT\"").contains("\"field\":\"ports\"");

        HttpResponse<String> nestedWrongType = send("POST", "/link", """
                {"widget1": {"serial_number": "A", "connection_port": ["P"]},
                 "widget2": {"serial_number": "B", "connection_port": "P"}}""");
        assertThat(nestedWrongType.statusCode()).isEqualTo(400);
        assertThat(nestedWrongType.body())
                .contains("\"code\":\"INVALID_INPUT\"")
                .contains("\"field\":\"widget1.connection_port\"");

        // Ignoring a field would hide a typo or a wish the service does not fulfil; say which fields there are.
        HttpResponse<String> unknown = send("POST", "/widgets", """
                {"name":"W","serial_number":"S1","ports":["P"],"color":"red"}""");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body())
                .contains("\"code\":\"INVALID_INPUT\"")
                .contains("\"field\":\"color\"")
                .contains("name, ports, serial_number");
        assertThat(store.widget("S1")).isEmpty();

        HttpResponse<String> flag = send("POST", "/add", """
                {"name":"W","serial_number":"S1","port_type_p":"yes"}""");
        assertThat(flag.statusCode()).isEqualTo(400);
        assertThat(flag.body()).contains("\"field\":\"port_type_p\"");

        HttpResponse<String> port = send("POST", "/widgets", """
                {"name":"W","serial_number":"S1","ports":["X"]}""");
        assertThat(port.statusCode()).isEqualTo(400);
        assertThat(port.body()).contains("\"code\":\"INVALID_INPUT\"").contains("\"field\":\"ports\"");

        HttpResponse<String> missing = send("POST", "/link", """
                {"widget1": {"serial_number": "NOPE", "connection_port": "P"},
                 "widget2": {"serial_number": "ALSO-NOPE", "connection_port": "P"}}""");
        assertThat(missing.statusCode()).isEqualTo(404);
    }
}
