package com.widgets.ingest.rewire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.widgets.ingest.IngestTestApplication;
import com.widgets.ingest.JobTestSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A job another replica holds — running it, or queued there — is not restarted from here however long ago Spring
 * Batch last wrote its execution, for as long as that replica keeps its holder row fresh; once it falls silent the job
 * is recovered and runs here from its last committed chunk: by itself, on exactly one of the replicas that look.
 */
class OtherReplicaJobTest extends JobTestSupport {

    @TempDir
    static Path dir;

    /** A second replica: its own application context (own holder name, own job threads) on the same database. */
    static ConfigurableApplicationContext replica;

    @Autowired
    JobRepository repository;

    @Autowired
    JobHolders holders;

    @Autowired
    JobOperator operator;

    @Test
    void aJobAnotherReplicaHoldsIsRestartedOnlyOnceThatReplicaFallsSilent() {
        Path file = resource("rules/target-state.csv");
        JobExecution theirs = startedElsewhere(file);
        long id = theirs.getJobInstance().getInstanceId();
        jdbc.update("INSERT INTO rewiring_job_holder (job_id, holder) VALUES (?, 'other-host/1/cafe')", id);

        assertThatThrownBy(() -> jobs.restart(id)).hasMessageContaining("still running or waiting to run on another");
        assertThat(jobs.status(id).orElseThrow().status()).isEqualTo(RewiringStatus.RUNNING);

        jdbc.update("UPDATE rewiring_job_holder SET seen_at = now() - interval '61 seconds' WHERE job_id = ?", id);
        assertThat(jobs.restart(id)).isEqualTo(id);

        RewiringJob done = awaitEnd(id);
        assertThat(done.status()).isEqualTo(RewiringStatus.COMPLETED);
        assertThat(done.counts().read()).isEqualTo(lines(file).size() - 1);
        Awaitility.await() // released when it ended here
                .atMost(Duration.ofSeconds(10))
                .until(() -> jdbc.queryForList("SELECT holder FROM rewiring_job_holder WHERE job_id = ?", id)
                        .isEmpty());
        assertSound();
    }

    @BeforeAll
    static void startSecondReplica() {
        replica = new SpringApplicationBuilder(IngestTestApplication.class)
                .web(WebApplicationType.NONE)
                .run();
    }

    @AfterAll
    static void stopSecondReplica() {
        replica.close();
    }

    @Test
    void jobsWhoseHolderFellSilentAreResumedByExactlyOneOfTheReplicasThatLook() throws Exception {
        List<Long> dead = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            JobExecution theirs = startedElsewhere(adds("race-" + i, 40));
            dead.add(theirs.getJobInstance().getInstanceId());
            jdbc.update(
                    "INSERT INTO rewiring_job_holder (job_id, holder, seen_at)"
                            + " VALUES (?, 'other-host/1/cafe', now() - interval '61 seconds')",
                    theirs.getJobInstance().getInstanceId());
        }
        RewiringJobs other = replica.getBean(RewiringJobs.class);
        CyclicBarrier together = new CyclicBarrier(2);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<List<Long>> here = threads.submit(() -> {
                together.await();
                return jobs.recoverDeadJobs();
            });
            Future<List<Long>> there = threads.submit(() -> {
                together.await();
                return other.recoverDeadJobs();
            });
            List<Long> byBoth = new ArrayList<>(here.get(1, TimeUnit.MINUTES));
            byBoth.addAll(there.get(1, TimeUnit.MINUTES));
            assertThat(byBoth).doesNotHaveDuplicates().containsAll(dead);
        } finally {
            threads.shutdownNow();
        }

        for (long id : dead) {
            RewiringJob done = awaitEnd(id);
            assertThat(done.status()).isEqualTo(RewiringStatus.COMPLETED);
            assertThat(done.counts().read()).isEqualTo(40);
            assertThat(done.counts().applied()).isEqualTo(40);
            assertThat(executions(id))
                    .as("the dead execution and one resumed run")
                    .isEqualTo(2);
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM widget WHERE serial_number LIKE 'race-%'", Long.class))
                .isEqualTo(6 * 40);
        assertSound();
    }

    @Test
    void aJobWhoseHolderIsAliveIsNotRecoveredHoweverOldItsExecution() {
        long id = startedElsewhere(adds("alive", 3)).getJobInstance().getInstanceId();
        jdbc.update("INSERT INTO rewiring_job_holder (job_id, holder) VALUES (?, 'other-host/1/cafe')", id);

        assertThat(jobs.recoverDeadJobs()).doesNotContain(id);
        assertThat(replica.getBean(RewiringJobs.class).recoverDeadJobs()).doesNotContain(id);
        assertThat(jobs.stop(id)).isTrue(); // asked to stop: the holder's step sees it at its next chunk
        assertThat(jobs.status(id).orElseThrow().status()).isEqualTo(RewiringStatus.RUNNING);

        // tidy up: its holder dies; a stop was asked, so it is stopped rather than resumed
        jdbc.update("UPDATE rewiring_job_holder SET seen_at = now() - interval '61 seconds' WHERE job_id = ?", id);
        assertThat(jobs.recoverDeadJobs()).contains(id);
        assertThat(jobs.status(id).orElseThrow().status()).isEqualTo(RewiringStatus.STOPPED);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM widget WHERE serial_number LIKE 'alive-%'", Long.class))
                .isZero();
    }

    @Test
    void stoppingADeadJobStopsItAtOnceSoNoReplicaResumesItUntilItIsRestarted() {
        long id = startedElsewhere(adds("stop", 12)).getJobInstance().getInstanceId();
        jdbc.update(
                "INSERT INTO rewiring_job_holder (job_id, holder, seen_at)"
                        + " VALUES (?, 'other-host/1/cafe', now() - interval '61 seconds')",
                id);

        assertThat(jobs.stop(id)).isTrue();

        assertThat(jobs.status(id).orElseThrow().status()).isEqualTo(RewiringStatus.STOPPED);
        assertThat(jobs.recoverDeadJobs()).doesNotContain(id);
        assertThat(replica.getBean(RewiringJobs.class).recoverDeadJobs()).doesNotContain(id);
        assertThat(jdbc.queryForList("SELECT holder FROM rewiring_job_holder WHERE job_id = ?", id))
                .isEmpty();

        assertThat(jobs.restart(id)).isEqualTo(id);
        RewiringJob done = awaitEnd(id);
        assertThat(done.status()).isEqualTo(RewiringStatus.COMPLETED);
        assertThat(done.counts().applied()).isEqualTo(12);
        assertSound();
    }

    @Test
    void onTheEmbeddedDatabaseAHolderLastHeardFromBeforeTheServerStartedIsDeadAtOnce() {
        OffsetDateTime serverStart = jdbc.queryForObject("SELECT pg_postmaster_start_time()", OffsetDateTime.class);
        // a timeout far longer than this test JVM has run: only the server's start can make the holder dead
        JobHolders embedded = new JobHolders(jdbc, Set::of, true, Duration.ofDays(1));
        JobHolders elsewhere = new JobHolders(jdbc, Set::of, true, Duration.ofDays(1));
        JobHolders external = new JobHolders(jdbc, Set::of, false, Duration.ofDays(1));
        jdbc.update(
                "INSERT INTO rewiring_job_holder (job_id, holder, seen_at) VALUES (-3, 'before-restart/1/dead', ?)",
                serverStart.minusSeconds(1));
        try {
            assertThat(embedded.deadBefore()).isEqualTo(serverStart);
            assertThat(external.deadBefore()).isBefore(serverStart);

            assertThat(external.claim(-3, external.deadBefore())).isFalse();
            assertThat(embedded.claim(-3, embedded.deadBefore())).isTrue();
            assertThat(embedded.claim(-3, embedded.deadBefore()))
                    .as("already its own")
                    .isFalse();
            assertThat(elsewhere.claim(-3, elsewhere.deadBefore()))
                    .as("claimed since the server started: alive")
                    .isFalse();
            assertThat(jdbc.queryForObject("SELECT holder FROM rewiring_job_holder WHERE job_id = -3", String.class))
                    .isEqualTo(embedded.name());
        } finally {
            jdbc.update("DELETE FROM rewiring_job_holder WHERE job_id = -3");
        }
    }

    @Test
    void aJobBeingTakenOverShowsAsRunningNotAsTheFailedExecutionItsRecoveryLeaves() {
        JobExecution theirs = startedElsewhere(adds("takeover", 3));
        long id = theirs.getJobInstance().getInstanceId();
        assertThat(holders.claim(id, holders.deadBefore())).isTrue();

        operator.recover(repository.getLastJobExecution(theirs.getJobInstance())); // before its next run is written
        assertThat(jobs.status(id).orElseThrow().status()).isEqualTo(RewiringStatus.RUNNING);

        holders.release(id); // as when that next run could not be started
        assertThat(jobs.status(id).orElseThrow().status()).isEqualTo(RewiringStatus.FAILED);
    }

    @Test
    void aJobJustStartedElsewhereIsNotTakenForDeadBeforeItsHolderRowIsWritten() {
        JobExecution theirs = startedElsewhere(resource("rules/target-state.csv"));
        long id = theirs.getJobInstance().getInstanceId();
        lastWritten(theirs, LocalDateTime.now());

        assertThatThrownBy(() -> jobs.restart(id)).hasMessageContaining("another replica");

        // tidy up: as if it had died long ago
        lastWritten(theirs, LocalDateTime.now().minusMinutes(10));
        jobs.restart(id);
        assertThat(awaitEnd(id).status()).isEqualTo(RewiringStatus.COMPLETED);
    }

    @Test
    void aBeatRefreshesTheJobsThisProcessHoldsAndDropsRowsItNoLongerHolds() {
        jdbc.update(
                "INSERT INTO rewiring_job_holder (job_id, holder, seen_at) VALUES (-1, ?, now() - interval '1 hour')",
                holders.name());
        jdbc.update(
                "INSERT INTO rewiring_job_holder (job_id, holder, seen_at) VALUES (-2, 'other-host/1/cafe', now())");

        holders.beat();

        assertThat(jdbc.queryForList("SELECT job_id FROM rewiring_job_holder WHERE job_id < 0", Long.class))
                .containsExactly(-2L);
        jdbc.update("DELETE FROM rewiring_job_holder WHERE job_id < 0");
    }

    /** A job execution as a replica that started it leaves it: STARTED, last written ten minutes ago. */
    private JobExecution startedElsewhere(Path file) {
        JobParameters parameters = new JobParametersBuilder()
                .addString(RewiringJobConfiguration.FILE, file.toAbsolutePath().toString())
                .addString(RewiringJobConfiguration.MODE, RewiringMode.APPLY.label())
                .addString(RewiringJobConfiguration.STAMP, "elsewhere")
                .addString(
                        RewiringJobConfiguration.SUBMISSION, UUID.randomUUID().toString())
                .addString(RewiringJobConfiguration.ACTOR, "other-replica", false)
                .toJobParameters();
        JobInstance instance = repository.createJobInstance(RewiringJobConfiguration.JOB, parameters);
        JobExecution execution = repository.createJobExecution(instance, parameters, new ExecutionContext());
        execution.setStatus(BatchStatus.STARTED);
        execution.setStartTime(LocalDateTime.now().minusMinutes(10));
        repository.update(execution);
        lastWritten(execution, LocalDateTime.now().minusMinutes(10));
        return execution;
    }

    /** A file of {@code count} add lines. */
    private static Path adds(String name, int count) {
        StringBuilder text = new StringBuilder("op,serial_number,name,ports\n");
        for (int i = 0; i < count; i++) {
            text.append("add,").append(name).append('-').append(i).append(",w,PRQ\n");
        }
        try {
            return Files.writeString(dir.resolve(name + ".csv"), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int executions(long id) {
        return jdbc.queryForObject(
                "SELECT count(*) FROM batch_job_execution WHERE job_instance_id = ?", Integer.class, id);
    }

    /** Spring Batch writes its times in the JVM's zone, so the test does too. */
    private void lastWritten(JobExecution execution, LocalDateTime at) {
        jdbc.update(
                "UPDATE batch_job_execution SET last_updated = ? WHERE job_execution_id = ?", at, execution.getId());
    }
}
