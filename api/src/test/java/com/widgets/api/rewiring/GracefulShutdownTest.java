package com.widgets.api.rewiring;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.api.ApiTest;
import com.widgets.api.ServiceProcess;
import com.widgets.db.testing.WiringDatabase;
import com.widgets.ingest.rewire.RewiringJob;
import com.widgets.ingest.rewire.RewiringJobs;
import com.widgets.ingest.rewire.RewiringMode;
import com.widgets.ingest.rewire.RewiringStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * SIGTERM in the middle of an uploaded job: the service as shipped, in its own JVM on its own embedded database, stops
 * the job at a chunk boundary as it shuts down — whole chunks committed, none in part — and the next start resumes it
 * by itself; it ends exactly as an uninterrupted run of the same file: same counts, reject report and wiring.
 */
@ApiTest
class GracefulShutdownTest {

    private static final int LINES = 40_000;
    private static final int CHUNK = 500;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    RewiringJobs jobs;

    @Autowired
    JdbcTemplate jdbc;

    @TempDir
    Path temp;

    @Test
    void aJobStoppedBySigtermAtAChunkBoundaryResumesAtTheNextStartAndEndsAsAnUninterruptedRun() throws Exception {
        Path file = Uploads.randomRewiring(temp.resolve("rewire.csv"), "G", 17, LINES);
        new WiringDatabase(jdbc).reset();
        RewiringJob uninterrupted = jobs.await(jobs.submit(file, RewiringMode.APPLY), Duration.ofMinutes(3));
        assertThat(uninterrupted.status()).isEqualTo(RewiringStatus.COMPLETED);
        ByteArrayOutputStream expectedRejects = new ByteArrayOutputStream();
        jobs.rejects(uninterrupted.id(), expectedRejects);
        ByteArrayOutputStream expectedState = new ByteArrayOutputStream();
        jobs.export(expectedState);

        Path dir = temp.resolve("service");
        List<String> arguments = List.of(
                "--widgets.embedded.data-dir=" + dir.resolve("postgres"),
                "--widgets.embedded.durable=false",
                "--widgets.ingest.chunk-size=" + CHUNK,
                "--widgets.security.admin-token=" + com.widgets.api.Fixtures.ADMIN_TOKEN);
        long id;
        try (ServiceProcess first = ServiceProcess.start(dir, arguments)) {
            Uploads http = new Uploads(first.port());
            HttpResponse<String> accepted = http.multipart(
                    "", "file", file.getFileName().toString(), Files.readAllBytes(file), "shutdown-test");
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            id = Uploads.id(accepted);
            JsonNode running = awaitRead(http, id, 4 * CHUNK);
            assertThat(running.path("status").asString()).isEqualTo("RUNNING");

            first.terminate();
            assertThat(first.output())
                    .contains("Stopping rewiring job(s) [" + id + "] at their next chunk boundary")
                    .doesNotContain("Encountered fatal error executing job");
        }

        try (ServiceProcess second = ServiceProcess.start(dir, arguments)) {
            Uploads http = new Uploads(second.port());
            JsonNode job = awaitEnd(http, id);
            assertThat(job.path("status").asString())
                    .as("%s%n%s", job, second.output())
                    .isEqualTo("COMPLETED");
            assertThat(second.output())
                    .contains("Rewiring job " + id + " was stopped by its service's shutdown; resuming it");

            List<Map<String, Object>> runs = stepRuns(dir, id);
            assertThat(runs).as("the stopped run, then the resumed one").hasSize(2);
            Map<String, Object> stopped = runs.get(0);
            assertThat(stopped.get("status")).isEqualTo("STOPPED");
            assertThat(stopped.get("exit_message")).asString().startsWith("Stopped by its service's shutdown");
            long read = ((Number) stopped.get("read_count")).longValue();
            assertThat(read).as("lines committed before the stop").isPositive().isLessThan(LINES);
            assertThat(read % CHUNK).as("whole chunks only: %d lines", read).isZero();
            assertThat(((Number) runs.get(1).get("read_count")).longValue())
                    .as("the resumed run read only the lines after them")
                    .isEqualTo(LINES - read);

            JsonNode counts = job.path("counts");
            assertThat(counts.path("read").asLong())
                    .isEqualTo(uninterrupted.counts().read());
            assertThat(counts.path("applied").asLong())
                    .isEqualTo(uninterrupted.counts().applied());
            assertThat(counts.path("unchanged").asLong())
                    .isEqualTo(uninterrupted.counts().unchanged());
            assertThat(counts.path("rejected").asLong())
                    .isEqualTo(uninterrupted.counts().rejected());
            assertThat(http.get("/rewiring/jobs/" + id + "/rejects").body())
                    .isEqualTo(expectedRejects.toString(StandardCharsets.UTF_8));
            assertThat(http.get("/rewiring/export").body()).isEqualTo(expectedState.toString(StandardCharsets.UTF_8));
            second.terminate();
        }
    }

    private static JsonNode awaitRead(Uploads http, long id, long lines) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            JsonNode job = JSON.readTree(http.get("/rewiring/jobs/" + id).body());
            if (job.path("counts").path("read").asLong() >= lines) {
                return job;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the job did not get to line " + lines);
    }

    private static JsonNode awaitEnd(Uploads http, long id) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (true) {
            JsonNode job = JSON.readTree(http.get("/rewiring/jobs/" + id).body());
            String status = job.path("status").asString();
            boolean live = status.equals("RUNNING") || status.equals("PENDING") || status.equals("STOPPED");
            if (!live || System.nanoTime() > deadline) {
                return job;
            }
            Thread.sleep(50);
        }
    }

    /** Spring Batch's record of each run of the job's step, oldest first, from the service's running database. */
    private static List<Map<String, Object>> stepRuns(Path dir, long id) throws IOException {
        List<String> pid = Files.readAllLines(dir.resolve("postgres").resolve("postmaster.pid"));
        String url = "jdbc:postgresql://localhost:" + pid.get(3).trim() + "/postgres?user=postgres";
        SingleConnectionDataSource db = new SingleConnectionDataSource(url, true);
        try {
            return new JdbcTemplate(db).queryForList("""
                    SELECT s.status, s.read_count, e.exit_message FROM batch_step_execution s
                      JOIN batch_job_execution e ON e.job_execution_id = s.job_execution_id
                     WHERE e.job_instance_id = ? AND s.step_name = 'applyLines' ORDER BY s.step_execution_id
                    """, id);
        } finally {
            db.destroy();
        }
    }

    /** A service that did not stop (a failed assertion, SIGKILL) leaves its PostgreSQL running: stop it too. */
    @AfterEach
    void stopLeftoverDatabase() throws IOException {
        Path pid = temp.resolve("service").resolve("postgres").resolve("postmaster.pid");
        if (Files.exists(pid)) {
            long postmaster = Long.parseLong(Files.readAllLines(pid).get(0).trim());
            ProcessHandle.of(postmaster).ifPresent(ProcessHandle::destroy);
        }
    }
}
