package com.widgets.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.db.WiringStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.graphql.test.tester.HttpGraphQlTester;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;

/**
 * A subscription over Server-Sent Events lasts as long as its client listens. Without a timeout of its own the stream
 * is an async request with the container's default timeout (Tomcat's 30 s), which ended every {@code curl -N}
 * subscription after half a minute. Here the container's and Spring MVC's async timeouts are 2 s, and the stream still
 * delivers a change made 4 s in.
 */
@ApiTest
@TestPropertySource(properties = "spring.mvc.async.request-timeout=2s")
@Import(SseLifetimeTest.ShortAsyncTimeout.class)
class SseLifetimeTest {

    @TestConfiguration
    static class ShortAsyncTimeout {
        @Bean
        TomcatConnectorCustomizer shortAsyncTimeout() {
            return connector -> connector.setAsyncTimeout(2_000);
        }
    }

    @Autowired
    HttpGraphQlTester http;

    @Autowired
    WiringStore store;

    @Autowired
    JdbcTemplate jdbc;

    @LocalServerPort
    int port;

    @Test
    void aServerSentEventsSubscriptionOutlivesTheAsyncRequestTimeout() throws Exception {
        Fixtures.sampleWiring(jdbc, store);
        HttpClient client = HttpClient.newHttpClient();
        var linked = client.sendAsync(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/graphql"))
                                .header("Authorization", Fixtures.BEARER)
                                .header("Content-Type", "application/json")
                                .header("Accept", "text/event-stream")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"subscription {"
                                        + " wiringChanged(serialNumbers: [\\\"SN-1\\\"]) { type port } }\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofLines())
                .thenApply(response -> {
                    try (var lines = response.body()) {
                        return lines.filter(line -> line.contains("\"LINKED\""))
                                .findFirst()
                                .orElse("the stream ended without a LINKED event");
                    }
                });
        Thread.sleep(4_000); // twice the async request timeout
        assertThat(linked).isNotDone();
        http.document("mutation { unlink(input: {end: {serialNumber: \"SN-1\", port: P}}) { changed } }")
                .executeAndVerify();
        http.document("mutation { link(input: {a: {serialNumber: \"SN-1\", port: P},"
                        + " b: {serialNumber: \"SN-2\", port: Q}}) { changed } }")
                .executeAndVerify();
        assertThat(linked.get(20, TimeUnit.SECONDS)).startsWith("data:").contains("\"port\":\"P\"");
    }
}
