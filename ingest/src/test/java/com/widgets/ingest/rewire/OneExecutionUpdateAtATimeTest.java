package com.widgets.ingest.rewire;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.ingest.JobTestSupport;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
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

/**
 * A job recording its own end while a shutdown marks it stopping, in this process: two threads updating two copies of
 * one execution at the same moment, 200 times. Both writes land every time; before the updates were made one at a
 * time, one of the two often failed on the execution's version, and a job whose own write failed stayed marked
 * running.
 */
class OneExecutionUpdateAtATimeTest extends JobTestSupport {

    @Autowired
    JobRepository repository;

    @Test
    void aJobsOwnEndAndAStopAtTheSameMomentBothLand() throws Exception {
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        for (int round = 0; round < 200; round++) {
            JobExecution started = started();
            JobExecution ending = repository.getJobExecution(started.getId());
            JobExecution stopping = repository.getJobExecution(started.getId());
            CyclicBarrier together = new CyclicBarrier(2);
            Thread job = new Thread(() -> update(together, ending, BatchStatus.COMPLETED, failures));
            Thread shutdown = new Thread(() -> update(together, stopping, BatchStatus.STOPPING, failures));
            job.start();
            shutdown.start();
            job.join();
            shutdown.join();
            assertThat(failures).as("round %d", round).isEmpty();
            assertThat(repository.getJobExecution(started.getId()).getVersion())
                    .as("both writes, one after the other")
                    .isEqualTo(started.getVersion() + 2);
        }
    }

    private void update(CyclicBarrier together, JobExecution execution, BatchStatus status, List<Throwable> failures) {
        try {
            execution.setStatus(status);
            if (status == BatchStatus.COMPLETED) {
                execution.setExitStatus(ExitStatus.COMPLETED);
                execution.setEndTime(LocalDateTime.now());
            }
            together.await();
            // the repository as the application has it, which both the job and RewiringJobs use
            repository.update(execution);
        } catch (Throwable e) {
            failures.add(e);
        }
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
