package com.widgets.ingest.rewire;

import java.util.ArrayList;
import java.util.List;
import org.springframework.batch.core.job.JobInterruptedException;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs a dry-run or atomic job: the whole file in one transaction, chunk by chunk through the same store chunk API
 * as apply mode, so later lines see earlier lines' effects. At the end the wiring changes are rolled back (dry-run,
 * or atomic with a reject) or committed (atomic without one). Rejects are recorded in their own transactions so the
 * report survives the rollback. Nothing is committed midway, so a restart simply runs the file again.
 */
class WholeFileTasklet implements Tasklet {

    /** Fails an atomic job that had rejects, after its changes were rolled back. */
    static final class RejectedLines extends RuntimeException {
        RejectedLines(String message) {
            super(message);
        }
    }

    private final RewiringFileReader reader;
    private final LineJudge judge;
    private final RejectStore rejects;
    private final RewiringProgress progress;
    private final RewiringMode mode;
    private final long jobId;
    private final int chunkSize;
    private final TransactionTemplate savepoint;
    private final TransactionTemplate separate;
    private final JdbcTemplate jdbc;

    WholeFileTasklet(
            RewiringFileReader reader,
            LineJudge judge,
            RejectStore rejects,
            RewiringProgress progress,
            PlatformTransactionManager transactions,
            JdbcTemplate jdbc,
            RewiringMode mode,
            long jobId,
            int chunkSize) {
        this.reader = reader;
        this.judge = judge;
        this.rejects = rejects;
        this.progress = progress;
        this.mode = mode;
        this.jdbc = jdbc;
        this.jobId = jobId;
        this.chunkSize = chunkSize;
        this.savepoint = new TransactionTemplate(transactions);
        this.savepoint.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
        this.separate = new TransactionTemplate(transactions);
        this.separate.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        StepExecution step = chunkContext.getStepContext().getStepExecution();
        separate.executeWithoutResult(s -> rejects.clear(jobId));
        Counts[] total = {Counts.NONE};
        try {
            reader.open(new ExecutionContext());
            savepoint.executeWithoutResult(status -> {
                List<FileLine> chunk = new ArrayList<>(chunkSize);
                FileLine line;
                do {
                    line = reader.read();
                    if (line != null) {
                        chunk.add(line);
                    }
                    if (chunk.size() == chunkSize || (line == null && !chunk.isEmpty())) {
                        LineJudge.Verdict verdict = judge.judge(chunk, false);
                        separate.executeWithoutResult(s -> rejects.add(jobId, verdict.rejects()));
                        total[0] = total[0].plus(verdict.counts());
                        progress.update(jobId, total[0], reader.totalLines());
                        chunk.clear();
                        if (stopRequested(step)) {
                            throw new StoppedMidway();
                        }
                    }
                } while (line != null);
                if (mode == RewiringMode.DRY_RUN || total[0].rejected() > 0) {
                    status.setRollbackOnly();
                }
            });
        } catch (StoppedMidway e) {
            throw new JobInterruptedException("Stopped; nothing was applied.");
        } finally {
            reader.close();
            progress.finished(jobId);
            ExecutionContext context = step.getExecutionContext();
            ChunkWriter.putCounts(context, total[0]);
            context.putLong(RewiringFileReader.TOTAL, reader.totalLines());
        }
        if (mode == RewiringMode.ATOMIC && total[0].rejected() > 0) {
            throw new RejectedLines(total[0].rejected() + " of " + total[0].read()
                    + " lines were rejected, so nothing was applied (atomic mode).");
        }
        return RepeatStatus.FINISHED;
    }

    /** A stop request marks the job execution; nothing else reaches a tasklet that runs the whole file in one call. */
    private boolean stopRequested(StepExecution step) {
        String status = jdbc.queryForObject(
                "SELECT status FROM batch_job_execution WHERE job_execution_id = ?",
                String.class,
                step.getJobExecutionId());
        return step.isTerminateOnly() || "STOPPING".equals(status);
    }

    private static final class StoppedMidway extends RuntimeException {
        StoppedMidway() {
            super("stopped", null, false, false);
        }
    }
}
