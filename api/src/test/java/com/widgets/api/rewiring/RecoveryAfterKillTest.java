package com.widgets.api.rewiring;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.api.WidgetsApiApplication;
import java.io.File;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The real thing over the API: the service as shipped in its own JVM (main class path, default settings but for its
 * own data directory), killed with SIGKILL in the middle of an uploaded job, then started again on the same data. The
 * job resumes by itself from its last committed chunk and ends exactly as an uninterrupted run of the same file on a
 * fresh database: same counts, same reject report, same exported state.
 */
class RecoveryAfterKillTest {

    private static final int LINES = 60_000;
    private static final int CHUNK = 500;
    private static final int KILL_AFTER = 15_000;
    private static final Pattern PORT = Pattern.compile("Tomcat started on port (\\d+)");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path temp;

    private final List<Process> services = new ArrayList<>();

    @Test
    void aJobWhoseServiceWasKilledResumesByItselfAndEndsAsAnUninterruptedRun() throws Exception {
        Path file = Uploads.randomRewiring(temp.resolve("rewire.csv"), "K", 7, LINES);

        Service calm = Service.start(this, temp.resolve("calm"));
        long calmId = calm.upload(file);
        JsonNode expected = calm.awaitEnd(calmId);
        assertThat(expected.path("status").asString()).isEqualTo("COMPLETED");
        String expectedRejects = calm.get("/rewiring/jobs/" + calmId + "/rejects");
        String expectedState = calm.get("/rewiring/export");
        calm.stop();

        Path data = temp.resolve("killed");
        Service first = Service.start(this, data);
        long id = first.upload(file);
        long seen = first.awaitRead(id, KILL_AFTER);
        first.kill();

        Service second = Service.start(this, data);
        List<Long> reads = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        JsonNode job;
        do {
            job = second.status(id);
            reads.add(job.path("counts").path("read").asLong());
            Thread.sleep(20);
        } while (isLive(job) && System.nanoTime() < deadline);

        assertThat(job.path("status").asString())
                .as("%s%n%s", job, second.output())
                .isEqualTo("COMPLETED");
        assertThat(reads)
                .as(
                        "after the restart the job never counts from the start again: it resumed from a chunk committed"
                                + " before the kill (seen %d lines read then)",
                        seen)
                .allMatch(read -> read >= seen - CHUNK && read > 0);
        assertThat(second.output())
                .contains("Rewiring job " + id + " was left running by a process that ended; resuming it");
        assertThat(second.stepReadCounts(id))
                .as("the resumed step read only the lines after the last committed chunk")
                .hasSize(2)
                .satisfies(counts -> assertThat(counts.get(1)).isBetween(1L, LINES - seen + CHUNK));
        assertThat(job.path("counts")).isEqualTo(expected.path("counts"));
        assertThat(job.path("totalLines")).isEqualTo(expected.path("totalLines"));
        assertThat(second.get("/rewiring/jobs/" + id + "/rejects")).isEqualTo(expectedRejects);
        assertThat(second.get("/rewiring/export")).isEqualTo(expectedState);
        second.stop();
    }

    private static boolean isLive(JsonNode job) {
        String status = job.path("status").asString();
        return status.equals("RUNNING") || status.equals("PENDING");
    }

    @AfterEach
    void stopWhatIsLeft() throws IOException {
        for (Process service : services) {
            service.destroyForcibly();
        }
        // a service killed before it stopped its PostgreSQL leaves it running: stop it too
        try (var dirs = Files.list(temp)) {
            for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                Path pid = dir.resolve("postgres").resolve("postmaster.pid");
                if (Files.exists(pid)) {
                    long postmaster =
                            Long.parseLong(Files.readAllLines(pid).get(0).trim());
                    ProcessHandle.of(postmaster).ifPresent(ProcessHandle::destroy);
                }
            }
        }
    }

    /** One run of the service on a data directory of its own, driven over HTTP. */
    private record Service(Process process, Path log, Path data, Uploads http) {

        static Service start(RecoveryAfterKillTest test, Path data) throws Exception {
            Files.createDirectories(data);
            Path log = Files.createTempFile(test.temp, "service", ".log");
            List<String> command = List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m",
                    "-cp",
                    mainClassPath(),
                    WidgetsApiApplication.class.getName(),
                    "--server.port=0",
                    "--widgets.embedded.data-dir=" + data.resolve("postgres"),
                    "--widgets.embedded.durable=false",
                    "--widgets.rewiring.upload-dir=" + data.resolve("uploads"),
                    "--widgets.security.admin-token=" + com.widgets.api.Fixtures.ADMIN_TOKEN,
                    "--widgets.ingest.chunk-size=" + CHUNK);
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .directory(data.toFile())
                    .start();
            test.services.add(process);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (System.nanoTime() < deadline && process.isAlive()) {
                Matcher port = PORT.matcher(Files.readString(log));
                if (port.find()) {
                    return new Service(process, log, data, new Uploads(Integer.parseInt(port.group(1))));
                }
                Thread.sleep(50);
            }
            throw new AssertionError("the service did not start:\n" + Files.readString(log));
        }

        /** The test's class path without the test classes and test jars: the service as packaged. */
        private static String mainClassPath() {
            return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                    .filter(entry -> !entry.endsWith("test-classes") && !entry.endsWith("-tests.jar"))
                    .collect(Collectors.joining(File.pathSeparator));
        }

        long upload(Path file) throws Exception {
            HttpResponse<String> accepted =
                    http.multipart("", "file", file.getFileName().toString(), Files.readAllBytes(file), "kill-test");
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            return Uploads.id(accepted);
        }

        String get(String path) throws Exception {
            HttpResponse<String> response = http.get(path);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return response.body();
        }

        JsonNode status(long id) throws Exception {
            return JSON.readTree(get("/rewiring/jobs/" + id));
        }

        /** Waits until the job has read at least {@code lines} lines; returns how many it had then. */
        long awaitRead(long id, long lines) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (System.nanoTime() < deadline) {
                JsonNode job = status(id);
                long read = job.path("counts").path("read").asLong();
                if (read >= lines) {
                    assertThat(isLive(job))
                            .as("still running when killed: %s", job)
                            .isTrue();
                    return read;
                }
                Thread.sleep(10);
            }
            throw new AssertionError("the job did not get to line " + lines);
        }

        JsonNode awaitEnd(long id) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            JsonNode job = status(id);
            while (isLive(job) && System.nanoTime() < deadline) {
                Thread.sleep(50);
                job = status(id);
            }
            return job;
        }

        /** SIGKILL: no shutdown hook runs, the job's last chunk is cut off, its PostgreSQL is left running. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        void stop() throws InterruptedException {
            process.destroy();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }

        String output() throws IOException {
            return Files.readString(log);
        }

        /** Spring Batch's read count of each step execution of the job, oldest first, from the service's database. */
        List<Long> stepReadCounts(long id) throws IOException {
            List<String> pid = Files.readAllLines(data.resolve("postgres").resolve("postmaster.pid"));
            String url = "jdbc:postgresql://localhost:" + pid.get(3).trim() + "/postgres?user=postgres";
            SingleConnectionDataSource db = new SingleConnectionDataSource(url, true);
            try {
                return new JdbcTemplate(db).queryForList("""
                                SELECT s.read_count FROM batch_step_execution s
                                  JOIN batch_job_execution e ON e.job_execution_id = s.job_execution_id
                                 WHERE e.job_instance_id = ? ORDER BY s.step_execution_id
                                """, Long.class, id);
            } finally {
                db.destroy();
            }
        }
    }
}
