package com.widgets.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.db.WiringStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.graphql.ResponseError;
import org.springframework.graphql.test.tester.HttpGraphQlTester;
import org.springframework.jdbc.core.JdbcTemplate;

/** Each {@code widgets.graphql.*} limit, at its default, refuses with a clear error and resolves nothing. */
@ApiTest
class LimitsTest {

    @Autowired
    HttpGraphQlTester http;

    @Autowired
    WiringStore store;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    StatementCounter statements;

    @LocalServerPort
    int port;

    @BeforeEach
    void wiring() {
        Fixtures.sampleWiring(jdbc, store);
    }

    private ResponseError refusal(String document) {
        long before = statements.count();
        var errors = http.document(document).execute().returnResponse().getErrors();
        assertThat(statements.count()).as("statements run for a refused query").isEqualTo(before);
        assertThat(errors).hasSize(1);
        return errors.get(0);
    }

    @Test
    void depthOver12() {
        // widget(1) ports(2) peer(3) widget(4) ... widget(10) ports(11) peer(12) serialNumber(13)
        String chain = "{ widget(serialNumber: \"SN-1\") {" + " ports { peer { widget {".repeat(3);
        String deep = chain + " ports { peer { serialNumber } }" + " } } }".repeat(3) + " } }";
        ResponseError error = refusal(deep);
        assertThat(error.getExtensions())
                .containsEntry("code", "LIMIT_EXCEEDED")
                .containsEntry("limit", "widgets.graphql.max-depth");
        assertThat(error.getErrorType().toString()).isEqualTo("BAD_REQUEST");
        assertThat(error.getMessage()).contains("13 levels", "limit is 12");

        String atLimit = chain + " ports { type }" + " } } }".repeat(3) + " } }";
        http.document(atLimit).execute().errors().verify();
    }

    @Test
    void moreThan30Aliases() {
        StringBuilder query = new StringBuilder("{");
        for (int i = 0; i < 31; i++) {
            query.append(" w").append(i).append(": widget(serialNumber: \"SN-1\") { name }");
        }
        ResponseError error = refusal(query.append(" }").toString());
        assertThat(error.getExtensions()).containsEntry("limit", "widgets.graphql.max-aliases");
    }

    @Test
    void complexityOver20000() {
        ResponseError error = refusal("{ widgets(first: 1000) { edges { node { ports { peer { widget { ports"
                + " { peer { serialNumber } } } } } } } } }");
        assertThat(error.getExtensions()).containsEntry("limit", "widgets.graphql.max-complexity");
        assertThat(error.getMessage()).contains("20000");
    }

    @Test
    void pageSizeOver1000() {
        var errors = http.document("{ widgets(first: 1001) { edges { cursor } } }")
                .execute()
                .returnResponse()
                .getErrors();
        assertThat(errors).singleElement().satisfies(error -> {
            assertThat(error.getExtensions())
                    .containsEntry("code", "INVALID_INPUT")
                    .containsEntry("field", "first");
            assertThat(error.getMessage()).contains("between 1 and 1000");
        });
    }

    @Test
    void requestBodyOver256Kilobytes() throws Exception {
        String padding = " ".repeat(300 * 1024);
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/graphql"))
                                .header("Authorization", Fixtures.BEARER)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"query\":\"{ widget(serialNumber: \\\"SN-1\\\") { name } }\"" + padding
                                                + "}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("LIMIT_EXCEEDED").contains("widgets.graphql.max-request-size");

        // Without a declared length (chunked), the body is cut off at the limit as it is read.
        byte[] chunked = ("{\"query\":\"{ widget(serialNumber: \\\"SN-1\\\") { name } }\"" + padding + "}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        HttpResponse<String> streamed = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/graphql"))
                                .header("Authorization", Fixtures.BEARER)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofInputStream(
                                        () -> new java.io.ByteArrayInputStream(chunked)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(streamed.statusCode()).isEqualTo(413);
        assertThat(streamed.body()).contains("widgets.graphql.max-request-size");
    }
}
