package com.widgets.ingest.rewire;

import com.widgets.db.WiringException;
import com.widgets.db.WiringStore;
import com.widgets.db.embedded.EmbeddedPostgresServer;
import com.widgets.ingest.export.StateExport;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.job.flow.FlowExecutionStatus;
import org.springframework.batch.core.job.flow.JobExecutionDecider;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.batch.autoconfigure.BatchTaskExecutor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The rewiring job: apply mode runs a chunk-oriented step (read → the store's chunk API, which commits each chunk's
 * lines with how far the job got — in parts when its widgets are busy — → Spring Batch's commit of the reader's
 * position); dry-run and atomic judge the whole file first (see
 * {@link WholeFileTasklet}). The job id everywhere (history rows, reject
 * report, facade) is the Spring Batch job instance id, which a restart keeps.
 */
@Configuration(proxyBeanMethods = false)
public class RewiringJobConfiguration {

    private static final Logger log = LoggerFactory.getLogger(RewiringJobConfiguration.class);

    /** The job's name in Spring Batch's tables. */
    public static final String JOB = "rewiring";

    static final String FILE = "file";
    static final String MODE = "mode";
    static final String SUBMISSION = "submission";
    static final String STAMP = "fileStamp";
    static final String ACTOR = "actor";
    static final String APPLY_STEP = "applyLines";
    static final String WHOLE_FILE_STEP = "wholeFile";
    static final String REFUSE_STEP = "refuseFile";
    /** The sentence of a file refused before any step ran, kept for the job's message. */
    private static final String REFUSAL = "rewiring.refusal";

    /**
     * A run that lost the database and yet recorded its own failure (the database answered again before the job's last
     * update, as after a database that hung for a while) says so as {@link RewiringJobs#lostTheDatabase} does, instead
     * of Spring Batch's "Flow execution ended unexpectedly"; a step whose own last update was lost is recorded FAILED
     * too, so the job can be restarted. Such a step ends UNKNOWN in Spring Batch ("should not be restarted"), and its
     * job with it; here that is safe to undo: each chunk committed its step's position with its wiring changes, so the
     * job is FAILED, and restartable, as any other run that lost the database. Should the database be gone again, the
     * job's update fails next and {@code lostTheDatabase} takes over.
     *
     * <p>The job's own record is written here too, before the job is reported ended: Spring Batch writes it only after
     * the listeners, and a caller told the job had ended could read it UNKNOWN meanwhile.
     */
    private static void lostTheDatabase(JobRepository jobs, JobExecution execution) {
        execution.setStatus(BatchStatus.FAILED);
        execution.setExitStatus(ExitStatus.FAILED.addExitDescription(RewiringJobs.DATABASE_LOST));
        for (StepExecution step : execution.getStepExecutions()) {
            if (step.getStatus() != BatchStatus.COMPLETED) {
                try {
                    recordFailed(jobs, step, RewiringJobs.DATABASE_LOST);
                } catch (RuntimeException e) {
                    log.debug("Could not record step {} as failed: {}", step.getStepName(), e.getMessage());
                }
            }
        }
        try {
            jobs.update(execution);
        } catch (RuntimeException e) {
            log.debug("Could not record the job as failed yet: {}", e.getMessage());
        }
    }

    /** Records the step FAILED with this exit description, ended now if it had not ended. */
    static void recordFailed(JobRepository jobs, StepExecution step, String description) {
        step.setStatus(BatchStatus.FAILED);
        step.setExitStatus(ExitStatus.FAILED.addExitDescription(description));
        if (step.getEndTime() == null) {
            step.setEndTime(LocalDateTime.now());
        }
        jobs.update(step);
    }

    /** A running job's write of its own execution, made again after a stop raised its version ({@link ExecutionUpdateRetry}). */
    @Bean
    static BeanPostProcessor executionUpdateRetry(
            ObjectProvider<JdbcTemplate> jdbc, ObjectProvider<PlatformTransactionManager> transactions) {
        return new ExecutionUpdateRetry(jdbc, transactions);
    }

    @Bean
    Job rewiringJob(
            JobRepository jobs,
            Step applyLines,
            Step wholeFile,
            Step refuseFile,
            RewiringProgress progress,
            JobHolders holders,
            RejectStore rejectStore,
            IngestProperties settings) {
        JobExecutionDecider byMode = (execution, step) -> {
            if (refused(execution, rejectStore, settings)) {
                return new FlowExecutionStatus("REFUSED");
            }
            return new FlowExecutionStatus(
                    RewiringMode.of(execution.getJobParameters().getString(MODE)) == RewiringMode.APPLY
                            ? "APPLY"
                            : "WHOLE_FILE");
        };
        JobExecutionListener ended = new JobExecutionListener() {
            @Override
            public void beforeJob(JobExecution execution) {
                progress.runsOnThisThread(execution);
            }

            @Override
            public void afterJob(JobExecution execution) {
                long id = execution.getJobInstance().getInstanceId();
                if ((execution.getStatus() == BatchStatus.FAILED || execution.getStatus() == BatchStatus.UNKNOWN)
                        && execution.getAllFailureExceptions().stream().anyMatch(WiringException::isDatabaseFailure)) {
                    lostTheDatabase(jobs, execution);
                }
                progress.ended(id, execution.getId());
                holders.release(id);
            }
        };
        return new JobBuilder(JOB, jobs)
                .listener(ended)
                .start(byMode)
                .on("REFUSED")
                .to(refuseFile)
                .from(refuseFile)
                .on("*")
                .fail()
                .from(byMode)
                .on("APPLY")
                .to(applyLines)
                .from(byMode)
                .on("WHOLE_FILE")
                .to(wholeFile)
                .end()
                .build();
    }

    /**
     * Checks the whole file before any step runs (the same check as an upload): a file no job could read fails the job
     * with its code as line 1 of the reject report and one log line — a decision, not an exception, so no step fails
     * with a stack trace. The sentence waits in the job's context for {@link #refuseFile}.
     */
    private static boolean refused(JobExecution execution, RejectStore rejectStore, IngestProperties settings) {
        if (execution.isStopping()) {
            return false; // stopped before it began (a shutdown): its step stops at once, the check waits for a restart
        }
        Path file = Path.of(execution.getJobParameters().getString(FILE));
        long id = execution.getJobInstance().getInstanceId();
        try {
            long records = FileCheck.check(file, settings.maxDecompressedSize().toBytes());
            execution.getExecutionContext().remove(REFUSAL); // a restart copies the last execution's context
            if (records >= 0) {
                execution.getExecutionContext().putLong(RewiringFileReader.CHECKED, records);
            } else {
                execution.getExecutionContext().remove(RewiringFileReader.CHECKED);
            }
            return false;
        } catch (RefusedFile e) {
            rejectStore.add(id, List.of(new Reject(1, e.code().name(), e.getMessage(), e.raw())));
            execution.getExecutionContext().putString(REFUSAL, e.getMessage());
            log.info("Rewiring job {} refused {}: {} {}", id, file.getFileName(), e.code(), e.getMessage());
            return true;
        }
    }

    /**
     * Ends a refused job: the refusal's sentence becomes this step's FAILED exit description, which the job's message
     * shows. It runs again on each restart, as the check does.
     */
    @Bean
    Step refuseFile(JobRepository jobs, PlatformTransactionManager transactions) {
        return new StepBuilder(REFUSE_STEP, jobs)
                .tasklet(
                        (contribution, chunk) -> {
                            String refusal = contribution
                                    .getStepExecution()
                                    .getJobExecution()
                                    .getExecutionContext()
                                    .getString(REFUSAL);
                            contribution.setExitStatus(ExitStatus.FAILED.addExitDescription(refusal));
                            return RepeatStatus.FINISHED;
                        },
                        transactions)
                .allowStartIfComplete(true)
                .build();
    }

    @Bean
    Step applyLines(
            JobRepository jobs,
            PlatformTransactionManager transactions,
            RewiringFileReader rewiringReader,
            ChunkWriter rewiringWriter,
            IngestProperties settings) {
        return new StepBuilder(APPLY_STEP, jobs)
                .<FileLine, FileLine>chunk(settings.chunkSize())
                .transactionManager(transactions)
                .reader(rewiringReader)
                .writer(rewiringWriter)
                .build();
    }

    @Bean
    Step wholeFile(JobRepository jobs, PlatformTransactionManager transactions, WholeFileTasklet wholeFileTasklet) {
        return new StepBuilder(WHOLE_FILE_STEP, jobs)
                .tasklet(wholeFileTasklet, transactions)
                .build();
    }

    @Bean
    @StepScope
    RewiringFileReader rewiringReader(
            @Value("#{jobParameters['file']}") String file,
            @Value("#{jobParameters['actor']}") String actor,
            @Value("#{stepExecution.jobExecution.jobInstance.instanceId}") Long jobId,
            @Value("#{jobExecutionContext['" + RewiringFileReader.CHECKED + "']}") Long checkedRecords,
            RejectStore rejectStore,
            JdbcTemplate jdbc,
            PlatformTransactionManager transactions) {
        TransactionTemplate separate = new TransactionTemplate(transactions);
        separate.setPropagationBehavior(TransactionTemplate.PROPAGATION_REQUIRES_NEW);
        return new RewiringFileReader(
                Path.of(file),
                actor,
                jobId,
                checkedRecords == null ? -1 : checkedRecords,
                reject -> separate.executeWithoutResult(s -> rejectStore.add(jobId, List.of(reject))),
                () -> new CommittedLines(jdbc).of(jobId).lastLine());
    }

    @Bean
    @StepScope
    ChunkWriter rewiringWriter(
            @Value("#{stepExecution.jobExecution.jobInstance.instanceId}") Long jobId,
            LineJudge lineJudge,
            RejectStore rejectStore,
            JdbcTemplate jdbc,
            RewiringProgress rewiringProgress,
            RewiringFileReader rewiringReader,
            SecondWriter secondWriter,
            IngestProperties settings) {
        return new ChunkWriter(
                lineJudge,
                rejectStore,
                new CommittedLines(jdbc),
                rewiringProgress,
                rewiringReader,
                secondWriter,
                jobId,
                settings.chunkSize());
    }

    /**
     * Writes the second half of big chunks beside the first, in the slots of jobs not running now — not on Citus, where
     * two transactions' multi-shard writes to the same shards serialise on Citus's shard locks: the second half would
     * only wait for the first, time out and give way, slower than one writer.
     */
    @Bean
    SecondWriter rewiringSecondWriter(
            IngestProperties settings,
            JdbcTemplate jdbc,
            @Qualifier("rewiringTaskExecutor") ThreadPoolTaskExecutor rewiringTaskExecutor) {
        int writers = settings.writers();
        if (writers > 1 && WiringStore.onCitus(jdbc)) {
            log.info("Rewiring chunks are written by one connection each on Citus (widgets.ingest.writers ignored)");
            writers = 1;
        }
        return new SecondWriter(writers, settings.maxRunningJobs(), rewiringTaskExecutor::getActiveCount);
    }

    @Bean
    @StepScope
    WholeFileTasklet wholeFileTasklet(
            @Value("#{jobParameters['mode']}") String mode,
            @Value("#{stepExecution.jobExecution.jobInstance.instanceId}") Long jobId,
            RewiringFileReader rewiringReader,
            LineJudge lineJudge,
            WiringStore store,
            RejectStore rejectStore,
            RewiringProgress rewiringProgress,
            PlatformTransactionManager transactions,
            JdbcTemplate jdbc,
            IngestProperties settings) {
        return new WholeFileTasklet(
                rewiringReader,
                lineJudge,
                store,
                rejectStore,
                rewiringProgress,
                transactions,
                jdbc,
                RewiringMode.of(mode),
                jobId,
                settings);
    }

    @Bean
    RewiringJobs rewiringJobs(
            JobOperator jobOperator,
            JobRepository jobRepository,
            @Qualifier("rewiringJob") Job rewiringJob,
            RejectStore rejectStore,
            RewiringProgress rewiringProgress,
            IngestProperties settings,
            StateExport stateExport,
            JdbcTemplate jdbc,
            JobHolders holders) {
        return new RewiringJobs(
                jobOperator,
                jobRepository,
                rewiringJob,
                rejectStore,
                rewiringProgress,
                settings,
                stateExport,
                new JobIndex(jdbc),
                new StopMarks(jdbc),
                holders);
    }

    @Bean
    ShutdownStop rewiringShutdownStop(RewiringJobs rewiringJobs) {
        return new ShutdownStop(rewiringJobs);
    }

    @Bean
    JobHolders rewiringJobHolders(
            JdbcTemplate jdbc, RewiringProgress rewiringProgress, ObjectProvider<EmbeddedPostgresServer> embedded) {
        return new JobHolders(jdbc, rewiringProgress::held, embedded.getIfAvailable() != null);
    }

    @Bean
    StateExport stateExport(WiringStore store, JdbcTemplate jdbc, PlatformTransactionManager transactions) {
        return new StateExport(store, jdbc, transactions);
    }

    @Bean
    LineJudge lineJudge(WiringStore store) {
        return new LineJudge(store);
    }

    @Bean
    RejectStore rejectStore(JdbcTemplate jdbc) {
        return new RejectStore(jdbc);
    }

    @Bean
    RewiringProgress rewiringProgress() {
        return new RewiringProgress();
    }

    /**
     * Jobs run on their own threads: starting one returns at once with its id. At most {@code max-running-jobs} run
     * at once; the ones started beyond that wait in submission order, reported PENDING (Spring Batch's STARTING),
     * instead of holding up whoever submitted them.
     */
    @Bean
    @BatchTaskExecutor
    ThreadPoolTaskExecutor rewiringTaskExecutor(
            IngestProperties settings,
            @Value("${spring.lifecycle.timeout-per-shutdown-phase:30s}") Duration shutdownPhase,
            RewiringProgress rewiringProgress,
            ObjectProvider<RewiringJobs> rewiringJobs) {
        ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
        // A job whose database went away ends with Spring Batch unable to record it: the run's exception comes out
        // here instead, and the job is recorded FAILED once the database answers again (RewiringJobs.lostTheDatabase).
        executor.setTaskDecorator(run -> () -> {
            try {
                run.run();
            } catch (RuntimeException e) {
                JobExecution execution = rewiringProgress.runningOnThisThread();
                if (execution == null || !WiringException.isDatabaseFailure(e)) {
                    throw e;
                }
                rewiringJobs.getObject().lostTheDatabase(execution, e);
            } finally {
                rewiringProgress.runsOnThisThread(null);
            }
        });
        executor.setThreadNamePrefix("rewiring-");
        executor.setCorePoolSize(settings.maxRunningJobs());
        executor.setMaxPoolSize(settings.maxRunningJobs());
        executor.setAllowCoreThreadTimeOut(true);
        executor.setKeepAliveSeconds(60);
        // On shutdown, jobs stop at their next chunk boundary (ShutdownStop) rather than being interrupted mid-chunk:
        // the executor takes jobs (an upload still in flight) until it is destroyed, then lets them end, up to a phase.
        executor.setWaitForTasksToCompleteOnShutdown(true);
        executor.setAwaitTerminationMillis(shutdownPhase.toMillis());
        return executor;
    }
}
