package com.widgets.api.rewiring;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.api.ApiTest;
import com.widgets.db.testing.WiringDatabase;
import com.widgets.ingest.rewire.RewiringJob;
import com.widgets.ingest.rewire.RewiringJobs;
import com.widgets.ingest.rewire.RewiringStatus;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/** Uploads are deleted once no job needs them, and never while one might. */
@ApiTest
class UploadSweeperTest {

    /** The default retention, which the test configuration keeps. */
    static final Duration RETENTION = Duration.ofDays(7);

    @Autowired
    UploadSweeper sweeper;

    @Autowired
    RewiringJobs jobs;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    JobRepository repository;

    @Value("${widgets.rewiring.upload-dir}")
    Path uploadDir;

    @LocalServerPort
    int port;

    Uploads http;

    @BeforeEach
    void emptyDatabase() {
        http = new Uploads(port);
        new WiringDatabase(jdbc).reset();
    }

    @Test
    void aCompletedJobsUploadGoesAtTheNextSweep() throws Exception {
        String name = unique("completed");
        long id = upload(name, "op,serial_number,name,ports\nadd,SWEEP-1,One,PR\n");
        assertThat(finished(id).status()).isEqualTo(RewiringStatus.COMPLETED);
        Path dir = uploadOf(name);

        sweeper.sweep(Instant.now());

        assertThat(dir).doesNotExist();
        assertThat(jobs.status(id)).get().extracting(RewiringJob::status).isEqualTo(RewiringStatus.COMPLETED);
    }

    @Test
    void aFailedJobsUploadStaysForTheRetentionSoItCanBeRestarted() throws Exception {
        String name = unique("failed");
        // A bad header is refused at the door, before a job exists: an atomic job with a reject fails instead.
        HttpResponse<String> accepted = http.multipart(
                "?mode=atomic",
                "file",
                name,
                "op,serial_number,port\nunlink,SWEEP-2,P\n".getBytes(StandardCharsets.UTF_8),
                "sweeper-test");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        long id = Uploads.id(accepted);
        assertThat(finished(id).status()).isEqualTo(RewiringStatus.FAILED);
        Path dir = uploadOf(name);

        sweeper.sweep(Instant.now());
        sweeper.sweep(Instant.now().plus(RETENTION).minusSeconds(60));
        assertThat(dir).isDirectory();

        sweeper.sweep(Instant.now().plus(RETENTION).plusSeconds(60));
        assertThat(dir).doesNotExist();
    }

    @Test
    void aRunningJobsUploadIsNeverTouched() throws Exception {
        StringBuilder file = new StringBuilder("op,serial_number\n");
        for (int i = 0; i < 40_000; i++) {
            file.append("remove,SG-").append(i).append('\n'); // unchanged lines, a chunk of 50 at a time
        }
        String name = unique("running");
        long id = upload(name, file.toString());
        Path dir = uploadOf(name);

        sweeper.sweep(Instant.now().plus(RETENTION.multipliedBy(10)));
        RewiringStatus during = jobs.status(id).orElseThrow().status();

        assertThat(during).as("still running after the sweep").isIn(RewiringStatus.RUNNING, RewiringStatus.PENDING);
        assertThat(dir.resolve(name)).isRegularFile();
        assertThat(finished(id).status()).isEqualTo(RewiringStatus.COMPLETED);
        sweeper.sweep(Instant.now());
        assertThat(dir).doesNotExist();
    }

    @Test
    void theUploadOfAJobLeftRunningByAProcessThatDiedIsKeptForItsResume() throws IOException {
        Path dir = strayUpload(Instant.now().minus(RETENTION).minusSeconds(60)); // old enough to go without a job
        Path file;
        try (Stream<Path> files = Files.list(dir)) {
            file = files.findFirst().orElseThrow();
        }
        JobParameters parameters = new JobParametersBuilder()
                .addString("file", file.toAbsolutePath().normalize().toString())
                .addString("mode", "apply")
                .addString("submission", UUID.randomUUID().toString())
                .toJobParameters();
        JobInstance instance = repository.createJobInstance("rewiring", parameters);
        JobExecution dead = repository.createJobExecution(instance, parameters, new ExecutionContext());
        dead.setStatus(BatchStatus.STARTED); // and no process holds it any more
        dead.setStartTime(LocalDateTime.now().minus(RETENTION).minusHours(1));
        repository.update(dead);
        try {
            sweeper.sweep(Instant.now().plus(RETENTION.multipliedBy(10)));

            assertThat(dir).isDirectory();
            assertThat(file).isRegularFile();
        } finally {
            dead.setStatus(BatchStatus.ABANDONED);
            dead.setEndTime(LocalDateTime.now());
            repository.update(dead);
        }
        sweeper.sweep(Instant.now());
        assertThat(dir).doesNotExist();
    }

    @Test
    void anUploadNoJobRanGoesOnlyOnceItIsOlderThanTheRetention() throws IOException {
        Path fresh = strayUpload(Instant.now());
        Path old = strayUpload(Instant.now().minus(RETENTION).minusSeconds(60));
        Path empty = Files.createDirectories(uploadDir.resolve(UUID.randomUUID().toString()));
        Files.setLastModifiedTime(
                empty, FileTime.from(Instant.now().minus(RETENTION).minusSeconds(60)));

        sweeper.sweep(Instant.now());

        assertThat(fresh).isDirectory();
        assertThat(old).doesNotExist();
        assertThat(empty).doesNotExist();
    }

    @Test
    void partialUploadsGoOnceTheirProcessEndedAndOnlyThen() throws Exception {
        Path partials = uploadDir.resolve(PartialUploads.DIR);
        Path gone = Files.createDirectories(
                partials.resolve("ended-process").resolve(UUID.randomUUID().toString()));
        Files.writeString(gone.resolve("cut.csv"), "op,serial_number\nremove,X\n");
        Files.writeString(gone.getParent().resolve(".lock"), ""); // nobody holds it
        Path alive = Files.createDirectories(partials.resolve("live-process"));
        Files.writeString(alive.resolve("upload_arriving.tmp"), "op,serial_number\n");
        try (var channel = java.nio.channels.FileChannel.open(
                        alive.resolve(".lock"),
                        java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.WRITE);
                var lock = channel.lock()) {

            sweeper.sweep(Instant.now());

            assertThat(gone.getParent()).doesNotExist();
            assertThat(alive.resolve("upload_arriving.tmp"))
                    .as("a process that lives keeps its partial uploads")
                    .exists();
            assertThat(partials).as("not taken for an upload no job ran").isDirectory();
        }
        sweeper.sweep(Instant.now());
        assertThat(alive).doesNotExist();
    }

    private Path strayUpload(Instant modified) throws IOException {
        Path dir = Files.createDirectories(uploadDir.resolve(UUID.randomUUID().toString()));
        Path file = Files.writeString(dir.resolve(unique("stray")), "op,serial_number\nremove,X\n");
        Files.setLastModifiedTime(file, FileTime.from(modified));
        return dir;
    }

    private long upload(String name, String content) throws Exception {
        HttpResponse<String> accepted =
                http.multipart("", "file", name, content.getBytes(StandardCharsets.UTF_8), "sweeper-test");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        return Uploads.id(accepted);
    }

    private RewiringJob finished(long id) throws InterruptedException {
        return jobs.await(id, Duration.ofMinutes(2));
    }

    /** The directory the upload of this (unique) file name went to. */
    private Path uploadOf(String name) throws IOException {
        try (Stream<Path> dirs = Files.list(uploadDir)) {
            return dirs.filter(dir -> Files.exists(dir.resolve(name)))
                    .findFirst()
                    .orElseThrow();
        }
    }

    private static String unique(String label) {
        return "sweep-" + label + "-" + UUID.randomUUID() + ".csv";
    }
}
