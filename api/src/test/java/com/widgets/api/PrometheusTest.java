package com.widgets.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.api.live.Subscribers;
import com.widgets.api.system.Observations;
import com.widgets.db.testing.WiringDatabase;
import com.widgets.ingest.rewire.RewiringJob;
import com.widgets.ingest.rewire.RewiringJobs;
import com.widgets.ingest.rewire.RewiringMode;
import com.widgets.ingest.rewire.RewiringStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.core.io.ClassPathResource;
import org.springframework.graphql.test.tester.WebSocketGraphQlTester;
import org.springframework.jdbc.core.JdbcTemplate;
import reactor.core.Disposable;

/**
 * After some traffic — a query, a mutation, refused writes over GraphQL and REST, a subscription, a small rewiring job
 * — {@code /actuator/prometheus} has every metric family docs/operations.md lists. The scrape carries the admin token
 * that access control will ask of it.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "widgets.security.admin-token=test-admin-token",
            // as the shipped application.properties has it, which the tests' own application.properties hides
            "management.endpoints.web.exposure.include=health,info,metrics,prometheus"
        })
class PrometheusTest {

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    RewiringJobs jobs;

    @Autowired
    ApplicationContext context;

    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void afterTrafficEveryMetricFamilyIsScraped() throws Exception {
        new WiringDatabase(jdbc).reset();
        WebSocketGraphQlTester ws = GraphQlSockets.connect(port);
        Disposable subscription = ws.document("subscription { wiringChanged { type serialNumber } }")
                .executeSubscription()
                .toFlux()
                .subscribe();
        try {
            Subscribers.awaitAtLeast(context, 1);
            assertThat(graphQl(
                            "mutation { addWidget(input: {serialNumber: \\\"PROM-1\\\", name: \\\"p\\\", ports: [P]})"
                                    + " { changed } }"))
                    .contains("\"changed\":true");
            assertThat(graphQl("{ widget(serialNumber: \\\"PROM-1\\\") { name } }"))
                    .contains("\"name\":\"p\"");
            assertThat(graphQl("mutation { link(input: {a: {serialNumber: \\\"PROM-1\\\", port: P},"
                            + " b: {serialNumber: \\\"PROM-404\\\", port: Q}}) { changed } }"))
                    .contains("WIDGET_NOT_FOUND");
            HttpResponse<String> rest = send(request("/delete")
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"x\",\"serial_number\":\"PROM-404\"}")));
            assertThat(rest.body()).contains("WIDGET_NOT_FOUND");

            Path sample = new ClassPathResource("samples/rewire.csv").getFile().toPath();
            RewiringJob job = jobs.await(jobs.submit(sample, RewiringMode.APPLY), Duration.ofMinutes(1));
            assertThat(job.status()).isEqualTo(RewiringStatus.COMPLETED);

            HttpResponse<String> scrape =
                    send(request("/actuator/prometheus").header("Authorization", "Bearer test-admin-token"));
            assertThat(scrape.statusCode()).isEqualTo(200);
            String metrics = scrape.body();

            assertThat(metrics)
                    // GraphQL requests by operation and outcome, with a latency histogram
                    .containsPattern("graphql_request_seconds_bucket\\{[^}]*graphql_operation=\"addWidget\""
                            + "[^}]*graphql_operation_type=\"mutation\",graphql_outcome=\"SUCCESS\"")
                    .containsPattern("graphql_request_seconds_count\\{[^}]*graphql_operation=\"widget\""
                            + "[^}]*graphql_outcome=\"SUCCESS\"")
                    .containsPattern("graphql_request_seconds_count\\{[^}]*graphql_operation=\"link\""
                            + "[^}]*graphql_outcome=\"REQUEST_ERROR\"")
                    .containsPattern("graphql_request_seconds_count\\{[^}]*graphql_operation=\"wiringChanged\"")
                    // refusals by code, per transport
                    .contains("widgets_mutation_refusals_total{code=\"WIDGET_NOT_FOUND\",transport=\"graphql\"}")
                    .contains("widgets_mutation_refusals_total{code=\"WIDGET_NOT_FOUND\",transport=\"rest\"}")
                    // rewiring jobs: Spring Batch's timers by status, ours by the status the API shows, lines
                    .containsPattern("spring_batch_job_seconds_count\\{[^}]*spring_batch_job_name=\"rewiring\""
                            + "[^}]*spring_batch_job_status=\"COMPLETED\"")
                    .contains("spring_batch_job_active_seconds_count{")
                    .contains("spring_batch_chunk_write_seconds_count")
                    .as("no timer per line read (BatchDefaults)")
                    .doesNotContain("spring_batch_item_read")
                    .doesNotContain("spring_batch_item_process")
                    .as("the scrape")
                    .containsPattern("widgets_rewiring_jobs\\{status=\"completed\"} [1-9]")
                    .contains("widgets_rewiring_jobs{status=\"running\"}")
                    .containsPattern("widgets_rewiring_lines_total [1-9]")
                    .contains("widgets_rewiring_unread_chunks_total{assumption=\"held\",kind=\"links\"}")
                    .contains("widgets_rewiring_unread_chunks_total{assumption=\"missed\",kind=\"links\"}")
                    .contains("widgets_rewiring_unread_chunks_total{assumption=\"held\",kind=\"adds\"}")
                    .contains("widgets_rewiring_unread_chunks_total{assumption=\"missed\",kind=\"adds\"}")
                    // live subscribers, the connection pool, the JVM, HTTP
                    .containsPattern("widgets_live_subscribers [1-9]")
                    // transfers: the scrape itself is not one
                    .contains("widgets_transfers_active 0")
                    .contains("widgets_transfers_refused_total 0")
                    .contains("hikaricp_connections_active{")
                    .contains("hikaricp_connections_pending{")
                    .contains("jvm_memory_used_bytes{")
                    .contains("jvm_threads_live_threads")
                    .contains("process_cpu_usage")
                    .contains("http_server_requests_seconds_count{");
            assertThat(metrics).doesNotContain("test-admin-token");
            // per-field timers are off by default, and so is the wrapper that would record them
            assertThat(metrics).doesNotContain("graphql_datafetcher");
            assertThat(metrics)
                    .as("no in-flight timer per request (RequestObservations)")
                    .doesNotContain("http_server_requests_active_seconds")
                    .doesNotContain("graphql_request_active_seconds");
            assertThat(Observations.observesFields(context)).isFalse();
        } finally {
            subscription.dispose();
            GraphQlSockets.close(ws);
        }
    }

    private String graphQl(String query) throws Exception {
        HttpResponse<String> response = send(request("/graphql")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"" + query + "\"}")));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Bearer test-admin-token");
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
