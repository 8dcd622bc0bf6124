package com.widgets.ingest.rewire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.widgets.ingest.JobTestSupport;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A job another replica holds — running it, or queued there — is not restarted from here however long ago Spring
 * Batch last wrote its execution, for as long as that replica keeps its holder row fresh; once it falls silent the job
 * is recovered and runs here from its last committed chunk.
 */
class OtherReplicaJobTest extends JobTestSupport {

    @Autowired
    JobRepository repository;

    @Autowired
    JobHolders holders;

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

    /** Spring Batch writes its times in the JVM's zone, so the test does too. */
    private void lastWritten(JobExecution execution, LocalDateTime at) {
        jdbc.update(
                "UPDATE batch_job_execution SET last_updated = ? WHERE job_execution_id = ?", at, execution.getId());
    }
}
