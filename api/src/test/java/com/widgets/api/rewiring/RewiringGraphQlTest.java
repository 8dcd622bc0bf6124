package com.widgets.api.rewiring;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.api.ApiTest;
import com.widgets.api.GraphQlSockets;
import com.widgets.db.testing.WiringDatabase;
import com.widgets.ingest.rewire.RewiringJob;
import com.widgets.ingest.rewire.RewiringJobs;
import com.widgets.ingest.rewire.RewiringStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.graphql.ResponseError;
import org.springframework.graphql.client.SubscriptionErrorException;
import org.springframework.graphql.test.tester.HttpGraphQlTester;
import org.springframework.graphql.test.tester.WebSocketGraphQlTester;
import org.springframework.jdbc.core.JdbcTemplate;
import reactor.core.publisher.Signal;

/** Rewiring jobs over GraphQL: reading and paging them, starting, stopping and restarting, and live progress. */
@ApiTest
class RewiringGraphQlTest {

    private static final String JOB_FIELDS = "id status mode fileName counts { read applied unchanged rejected }"
            + " totalLines opsPerSecond secondsLeft startedAt endedAt message rejectsUrl";

    @Autowired
    HttpGraphQlTester http;

    @Autowired
    RewiringJobs jobs;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    ProgressPoller poller;

    @Value("${widgets.rewiring.upload-dir}")
    Path uploads;

    @LocalServerPort
    int port;

    WebSocketGraphQlTester ws;

    @BeforeEach
    void setUp() {
        new WiringDatabase(jdbc).reset();
        ws = GraphQlSockets.connect(port);
    }

    @AfterEach
    void disconnect() {
        GraphQlSockets.close(ws);
    }

    /** A file in the upload directory, where startRewiring may read it. */
    private String file(String name, String content) throws IOException {
        Path dir = Files.createDirectories(uploads.resolve(UUID.randomUUID().toString()));
        return Files.writeString(dir.resolve(name), content).toAbsolutePath().toString();
    }

    /** {@code lines} add lines: long enough, in chunks of 50, to be watched, stopped and restarted while it runs. */
    private String adds(int lines) throws IOException {
        StringBuilder file = new StringBuilder("op,serial_number,name,ports\n");
        for (int i = 0; i < lines; i++) {
            file.append("add,BULK-").append(i).append(",Bulk ").append(i).append(",PRQ\n");
        }
        return file("bulk.csv", file.toString());
    }

    private String start(String path, String mode) {
        return http.document("mutation($path: String!, $mode: RewiringMode) {"
                        + " startRewiring(input: {path: $path, mode: $mode}) { id status mode fileName } }")
                .variable("path", path)
                .variable("mode", mode)
                .execute()
                .path("startRewiring.id")
                .entity(String.class)
                .get();
    }

    private RewiringJob finished(String id) throws InterruptedException {
        return jobs.await(Long.parseLong(id), Duration.ofMinutes(2));
    }

    private ResponseError refusal(String document) {
        List<ResponseError> errors =
                http.document(document).execute().returnResponse().getErrors();
        assertThat(errors).hasSize(1);
        return errors.get(0);
    }

    @Test
    void readsOneJobAndNullForAnUnknownOne() throws Exception {
        String id = start(file("one.csv", "op,serial_number,name,ports\nadd,G-1,One,P\nremove,G-2,,\n"), "ATOMIC");
        finished(id);

        var job = http.document("query($id: ID!) { rewiringJob(id: $id) { " + JOB_FIELDS + " } }")
                .variable("id", id)
                .execute();
        job.path("rewiringJob.status").entity(String.class).isEqualTo("COMPLETED");
        job.path("rewiringJob.mode").entity(String.class).isEqualTo("ATOMIC");
        job.path("rewiringJob.fileName").entity(String.class).isEqualTo("one.csv");
        job.path("rewiringJob.counts")
                .entity(Map.class)
                .isEqualTo(Map.of("read", 2, "applied", 1, "unchanged", 1, "rejected", 0));
        job.path("rewiringJob.totalLines").entity(Integer.class).isEqualTo(2);
        job.path("rewiringJob.rejectsUrl").entity(String.class).isEqualTo("/rewiring/jobs/" + id + "/rejects");
        job.path("rewiringJob.secondsLeft").valueIsNull();
        Instant started = Instant.parse(
                job.path("rewiringJob.startedAt").entity(String.class).get());
        Instant ended = Instant.parse(
                job.path("rewiringJob.endedAt").entity(String.class).get());
        assertThat(started).isBeforeOrEqualTo(ended);

        for (String unknown : List.of("999999999", "not-a-number")) {
            http.document("{ rewiringJob(id: \"" + unknown + "\") { id } }")
                    .execute()
                    .path("rewiringJob")
                    .valueIsNull();
        }
    }

    @Test
    void pagesJobsNewestFirstAndFiltersByStatus() throws Exception {
        String good = "op,serial_number,name,ports\nadd,G-1,One,P\n";
        String first = start(file("first.csv", good), null);
        finished(first);
        // A file with a bad header is refused before a job exists: an atomic job with a reject fails instead.
        String failed = start(
                file("failed.csv", "op,serial_number,port,peer_serial_number,peer_port\nlink,G-1,P,NO,Q\n"), "ATOMIC");
        finished(failed);
        String third = start(file("third.csv", good), "DRY_RUN");
        finished(third);

        var page = http.document("{ rewiringJobs(first: 2) { edges { cursor node { id } }"
                        + " pageInfo { hasNextPage endCursor } } }")
                .execute();
        page.path("rewiringJobs.edges[*].node.id").entityList(String.class).containsExactly(third, failed);
        page.path("rewiringJobs.pageInfo.hasNextPage").entity(Boolean.class).isEqualTo(true);
        String end = page.path("rewiringJobs.pageInfo.endCursor")
                .entity(String.class)
                .get();

        http.document("query($after: String) { rewiringJobs(first: 1, after: $after) { edges { node { id } } } }")
                .variable("after", end)
                .execute()
                .path("rewiringJobs.edges[*].node.id")
                .entityList(String.class)
                .containsExactly(first);

        var failures = http.document(
                        "{ rewiringJobs(first: 1, status: FAILED) { edges { node { id status message } } } }")
                .execute();
        failures.path("rewiringJobs.edges[0].node.id").entity(String.class).isEqualTo(failed);
        failures.path("rewiringJobs.edges[0].node.message")
                .entity(String.class)
                .satisfies(message -> assertThat(message).contains("1 of 1 lines were rejected"));
        http.document("{ rewiringJobs(status: RUNNING) { edges { node { id } } } }")
                .execute()
                .path("rewiringJobs.edges")
                .entityList(Object.class)
                .hasSize(0);

        ResponseError foreign = refusal("{ rewiringJobs(after: \"d2lkZ2V0OlNOLTE\") { edges { cursor } } }");
        assertThat(foreign.getExtensions()).containsEntry("field", "after");

        var stats = http.document("{ rewiringStats(last: 3) { jobs averageSeconds } }")
                .execute();
        stats.path("rewiringStats.jobs").entity(Integer.class).isEqualTo(2);
        stats.path("rewiringStats.averageSeconds")
                .entity(Double.class)
                .satisfies(s -> assertThat(s).isPositive());
    }

    @Test
    void startRewiringRefusesFilesOutsideTheAllowedDirectories() throws Exception {
        Path outside = Files.createTempFile("outside", ".csv");
        Files.writeString(outside, "op,serial_number\nremove,X\n");
        Path link = Files.createDirectories(uploads.resolve(UUID.randomUUID().toString()))
                .resolve("sneaky.csv");
        Files.createSymbolicLink(link, outside);
        String inside = file("notes.txt", "hello");
        String escape = uploads.toAbsolutePath() + "/../../pom.xml";

        for (String path : List.of(
                "/etc/passwd",
                outside.toString(),
                link.toString(),
                escape,
                "relative/rewire.csv",
                inside,
                uploads.toAbsolutePath() + "/missing.csv")) {
            ResponseError error = refusal("mutation { startRewiring(input: {path: \"" + path + "\"}) { id } }");
            assertThat(error.getErrorType().toString()).as(path).isEqualTo("BAD_REQUEST");
            assertThat(error.getExtensions())
                    .as(path)
                    .containsEntry("code", "INVALID_INPUT")
                    .containsEntry("field", "input.path");
            assertThat(error.getMessage()).as(path).doesNotContain("root:");
        }
        assertThat(refusal("mutation { startRewiring(input: {path: \"/etc/passwd\"}) { id } }")
                        .getMessage())
                .contains("inside one of the directories");
    }

    @Test
    void startRewiringRefusesAPartialUploadThoughItHasARewiringFilesName() throws Exception {
        Path partial = Files.createDirectories(uploads.resolve(".partial/gone-process/" + UUID.randomUUID()))
                .resolve("cut.csv");
        Files.writeString(partial, "op,serial_number,name,ports\nadd,CUT-1,Cut,P\n");
        Integer jobsBefore = jdbc.queryForObject("SELECT count(*) FROM batch_job_instance", Integer.class);

        ResponseError error =
                refusal("mutation { startRewiring(input: {path: \"" + partial.toAbsolutePath() + "\"}) { id } }");

        assertThat(error.getExtensions()).containsEntry("code", "INVALID_INPUT").containsEntry("field", "input.path");
        assertThat(error.getMessage()).contains("an upload that is still arriving, or was cut off");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM batch_job_instance", Integer.class))
                .as("no job")
                .isEqualTo(jobsBefore);
    }

    @Test
    void startRewiringRefusesAFileNoJobCouldReadNamingItByItsNameOnly() throws Exception {
        String blank = file("blank.csv", "\n\n  \n");
        String notGzip = file("plain.csv.gz", "op,serial_number\nremove,X\n");

        ResponseError empty = refusal("mutation { startRewiring(input: {path: \"" + blank + "\"}) { id } }");
        ResponseError plain = refusal("mutation { startRewiring(input: {path: \"" + notGzip + "\"}) { id } }");

        assertThat(empty.getErrorType().toString()).isEqualTo("BAD_REQUEST");
        assertThat(empty.getExtensions()).containsEntry("code", "EMPTY_FILE").containsEntry("field", "input.path");
        assertThat(empty.getMessage()).startsWith("blank.csv holds no record");
        assertThat(plain.getExtensions()).containsEntry("code", "NOT_GZIP");
        assertThat(plain.getMessage()).startsWith("plain.csv.gz is not gzip-compressed");
        for (ResponseError error : List.of(
                empty,
                plain,
                refusal("mutation { startRewiring(input: {path: \"/etc/passwd\"}) { id } }"),
                refusal("mutation { startRewiring(input: {path: \"" + uploads.toAbsolutePath()
                        + "/missing.csv\"}) { id } }"))) {
            assertThat(error.getMessage())
                    .doesNotContain(uploads.toAbsolutePath().toString());
        }
    }

    @Test
    void stopsARunningJobAndRestartsItWhereItStopped() throws Exception {
        String id = start(adds(20_000), null);

        var stopping = http.document("mutation($id: ID!) { stopRewiring(id: $id) { id status } }")
                .variable("id", id)
                .execute();
        stopping.path("stopRewiring.id").entity(String.class).isEqualTo(id);
        RewiringJob stopped = finished(id);
        assertThat(stopped.status()).isEqualTo(RewiringStatus.STOPPED);
        assertThat(stopped.counts().read()).isLessThan(20_000);

        ResponseError again = refusal("mutation { stopRewiring(id: \"999999999\") { id } }");
        assertThat(again.getExtensions()).containsEntry("code", "JOB_NOT_FOUND");
        assertThat(again.getErrorType().toString()).isEqualTo("NOT_FOUND");

        http.document("mutation($id: ID!) { restartRewiring(id: $id) { id } }")
                .variable("id", id)
                .execute()
                .path("restartRewiring.id")
                .entity(String.class)
                .isEqualTo(id);
        RewiringJob done = finished(id);
        assertThat(done.status()).isEqualTo(RewiringStatus.COMPLETED);
        assertThat(done.counts().read()).isEqualTo(20_000);
        assertThat(done.counts().applied()).isEqualTo(20_000);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM widget", Long.class))
                .isEqualTo(20_000);

        ResponseError completed = refusal("mutation { restartRewiring(id: \"" + id + "\") { id } }");
        assertThat(completed.getExtensions()).containsEntry("code", "JOB_NOT_RESTARTABLE");
        assertThat(completed.getErrorType().toString()).isEqualTo("CONFLICT");
        assertThat(completed.getMessage()).contains("completed");
    }

    @Test
    void rewiringProgressEmitsWhileRunningAndEndsWithTheCompletedJob() throws Exception {
        String id = start(adds(6_000), null);

        List<Instant> heard = new ArrayList<>();
        List<Map<String, Object>> updates = ws.document("subscription($id: ID!) { rewiringProgress(id: $id) {"
                        + " id status counts { read } totalLines secondsLeft } }")
                .variable("id", id)
                .executeSubscription()
                .toFlux("rewiringProgress", Map.class)
                .map(update -> {
                    heard.add(Instant.now());
                    @SuppressWarnings("unchecked")
                    Map<String, Object> job = update;
                    return job;
                })
                .collectList()
                .toFuture()
                .orTimeout(2, TimeUnit.MINUTES)
                .join();

        assertThat(updates).hasSizeGreaterThan(1);
        assertThat(updates.get(updates.size() - 1))
                .containsEntry("id", id)
                .containsEntry("status", "COMPLETED")
                .containsEntry("counts", Map.of("read", 6_000))
                .containsEntry("totalLines", 6_000);
        assertThat(updates.subList(0, updates.size() - 1))
                .extracting(update -> update.get("status"))
                .allSatisfy(status -> assertThat(status).isIn("PENDING", "RUNNING"));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> poller.watcherCount() == 0);
        // Sent every 500 ms; the margin is for a loaded test machine, not for the service.
        for (int i = 1; i < heard.size(); i++) {
            assertThat(Duration.between(heard.get(i - 1), heard.get(i))).isLessThan(Duration.ofSeconds(2));
        }

        // a finished job: its final state, then the end
        ws.document("subscription { rewiringProgress(id: \"" + id + "\") { status } }")
                .executeSubscription()
                .toFlux("rewiringProgress.status", String.class)
                .collectList()
                .as(list -> assertThat(list.block(Duration.ofSeconds(10))).containsExactly("COMPLETED"));
    }

    @Test
    void rewiringProgressOfAnUnknownJobIsAClearError() {
        var errors = ws.document("subscription { rewiringProgress(id: \"999999999\") { status } }")
                .executeSubscription()
                .toFlux("rewiringProgress.status", String.class)
                .materialize()
                .filter(Signal::isOnError)
                .map(signal -> signal.getThrowable())
                .cast(SubscriptionErrorException.class)
                .blockFirst(Duration.ofSeconds(10));
        assertThat(errors).isNotNull();
        assertThat(errors.getErrors()).singleElement().satisfies(e -> {
            assertThat(e.getExtensions()).containsEntry("code", "JOB_NOT_FOUND");
            assertThat(e.getMessage()).contains("999999999");
        });
    }
}
