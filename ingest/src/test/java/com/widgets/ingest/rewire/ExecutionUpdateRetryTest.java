package com.widgets.ingest.rewire;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.ingest.JobTestSupport;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A running job writing its own execution at the moment a stop is written onto it — by a user's {@code stopRewiring}
 * served on any replica, or by a shutdown — 200 times each way. The job's write always lands, and the stop is neither
 * lost on a running job nor turned into a stop of a job that had already ended. Before, the job's write often failed
 * on the execution's version, and a job whose own write failed stayed marked running; a stop written from a copy read
 * earlier left a job that had just completed marked stopping.
 */
class ExecutionUpdateRetryTest extends JobTestSupport {

    private static final int ROUNDS = 200;

    @Autowired
    JobRepository repository;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void aJobRecordingItsEndAsAStopLandsEndsAsItEnded() throws Exception {
        StopMarks stops = new StopMarks(jdbc);
        int landed = 0;
        for (int round = 0; round < ROUNDS; round++) {
            JobExecution started = started();
            JobExecution job = repository.getJobExecution(started.getId());
            job.setStatus(BatchStatus.COMPLETED);
            job.setExitStatus(ExitStatus.COMPLETED);
            job.setEndTime(LocalDateTime.now());
            boolean stopLanded = race(job, () -> stops.stopping(started.getId(), null));
            landed += stopLanded ? 1 : 0;

            JobExecution stored = repository.getJobExecution(started.getId());
            assertThat(stored.getStatus()).as("round %d", round).isEqualTo(BatchStatus.COMPLETED);
            assertThat(stored.getExitStatus().getExitCode()).isEqualTo(ExitStatus.COMPLETED.getExitCode());
            assertThat(stored.getEndTime()).isNotNull();
            assertThat(stored.getVersion())
                    .as("round %d: the job's write, or the stop's, the job's taking it, and the job's again", round)
                    .isEqualTo(started.getVersion() + (stopLanded ? 3 : 1));
        }
        assertThat(landed).as("stops that landed before the job's write").isPositive();
    }

    @Test
    void aRunningJobsOwnWriteNeverLosesAStop() throws Exception {
        StopMarks stops = new StopMarks(jdbc);
        for (int round = 0; round < ROUNDS; round++) {
            JobExecution started = started();
            JobExecution job = repository.getJobExecution(started.getId());
            // the running job writes its execution as it is (as at its start): not its end
            boolean stopLanded = race(job, () -> stops.stopping(started.getId(), ShutdownStop.MARK));

            assertThat(stopLanded).as("round %d: the job was running", round).isTrue();
            JobExecution stored = repository.getJobExecution(started.getId());
            assertThat(stored.getStatus()).as("round %d", round).isEqualTo(BatchStatus.STOPPING);
            assertThat(stored.getExitStatus().getExitDescription())
                    .as("round %d: the job's own write keeps the shutdown's mark", round)
                    .isEqualTo(ShutdownStop.MARK);
            assertThat(stored.getEndTime()).isNull();
            assertThat(job.getStatus())
                    .as("round %d: the job's own copy knows, and stops at its next chunk boundary", round)
                    .isIn(BatchStatus.STOPPING, BatchStatus.STARTED);
            assertThat(stored.getVersion()).isEqualTo(started.getVersion() + 2);
        }
    }

    @Test
    void aStopOnPurposeOfAJobStoppingForAShutdownHoldsWhicheverWriteComesFirst() throws Exception {
        StopMarks stops = new StopMarks(jdbc);
        int markDropped = 0;
        for (int round = 0; round < ROUNDS; round++) {
            JobExecution started = started();
            assertThat(stops.stopping(started.getId(), ShutdownStop.MARK)).isTrue();
            JobExecution job = repository.getJobExecution(started.getId());
            // the job's end as its listener leaves it when the shutdown stopped it: marked, to be resumed
            job.setStatus(BatchStatus.STOPPED);
            job.setExitStatus(new ExitStatus(ExitStatus.STOPPED.getExitCode(), ShutdownStop.MARK));
            job.setEndTime(LocalDateTime.now());
            boolean kept = race(job, () -> stops.keepStopped(started.getId()));

            assertThat(kept)
                    .as("round %d: the mark was on the row, stopping or stopped", round)
                    .isTrue();
            JobExecution stored = repository.getJobExecution(started.getId());
            assertThat(stored.getStatus()).as("round %d", round).isEqualTo(BatchStatus.STOPPED);
            assertThat(stored.getEndTime()).isNotNull();
            assertThat(stored.getExitStatus().getExitCode()).isEqualTo(ExitStatus.STOPPED.getExitCode());
            assertThat(stored.getExitStatus().getExitDescription())
                    .as("round %d: stopped on purpose, not to be resumed", round)
                    .isNotEqualTo(ShutdownStop.MARK);
            markDropped += ShutdownStop.marks(job) ? 0 : 1;
        }
        assertThat(markDropped)
                .as("rounds where the stop on purpose came before the job's write")
                .isPositive();
    }

    @Test
    void aStopOfAJobThatHasEndedWritesNothing() {
        StopMarks stops = new StopMarks(jdbc);
        JobExecution started = started();
        JobExecution job = repository.getJobExecution(started.getId());
        job.setStatus(BatchStatus.COMPLETED);
        job.setExitStatus(ExitStatus.COMPLETED);
        job.setEndTime(LocalDateTime.now());
        repository.update(job);

        assertThat(stops.stopping(started.getId(), null)).isFalse();
        assertThat(stops.keepStopped(started.getId())).isFalse();
        JobExecution stored = repository.getJobExecution(started.getId());
        assertThat(stored.getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(stored.getVersion()).isEqualTo(job.getVersion());
    }

    /** The job's write and the stop at the same moment; returns whether the stop landed. */
    private boolean race(JobExecution job, BooleanSupplier stop) throws Exception {
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean landed = new AtomicBoolean();
        CyclicBarrier together = new CyclicBarrier(2);
        Thread running = new Thread(() -> {
            try {
                together.await();
                // the repository as the application has it, which Spring Batch's job uses
                repository.update(job);
            } catch (Throwable e) {
                failures.add(e);
            }
        });
        Thread stopping = new Thread(() -> {
            try {
                together.await();
                landed.set(stop.getAsBoolean());
            } catch (Throwable e) {
                failures.add(e);
            }
        });
        running.start();
        stopping.start();
        running.join();
        stopping.join();
        assertThat(failures).isEmpty();
        return landed.get();
    }

    private JobExecution started() {
        JobParameters parameters = new JobParametersBuilder()
                .addString("race", UUID.randomUUID().toString())
                .toJobParameters();
        JobInstance instance = repository.createJobInstance("update-race-test", parameters);
        JobExecution execution = repository.createJobExecution(instance, parameters, new ExecutionContext());
        execution.setStatus(BatchStatus.STARTED);
        execution.setStartTime(LocalDateTime.now());
        repository.update(execution);
        return repository.getJobExecution(execution.getId());
    }
}
