package com.widgets.ingest.rewire;

import com.widgets.db.DryRun;
import com.widgets.db.WiringStore;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
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
 * Runs a dry-run or atomic job.
 *
 * <p>A dry run judges the file chunk by chunk through the store's {@link DryRun}: nothing of the wiring is written or
 * locked, and later lines see what earlier ones would have done. An atomic job is such a dry run first; only when no
 * line would be rejected is the file written, in one transaction, chunk by chunk through the store's chunk API, so the
 * locks of its ports are held for the write alone, not while the file is judged. If the wiring changed in between so
 * that a line is now rejected, that transaction is rolled back and the job fails: all or nothing. Atomic files are
 * limited to {@code widgets.ingest.atomic-max-lines}. Rejects are recorded in their own transactions; nothing is
 * committed midway, so a restart runs the file again — unless the atomic write committed ({@link #WRITTEN}).
 */
class WholeFileTasklet implements Tasklet {

    /**
     * Marks an atomic run's write as done, in the step's execution context: Spring Batch saves that context in the
     * tasklet's transaction, the one the write committed in.
     */
    static final String WRITTEN = "rewiring.atomicWritten";

    /** Fails an atomic job that had rejects, or was too big, with nothing applied. */
    static final class RejectedLines extends RuntimeException {
        RejectedLines(String message) {
            super(message);
        }
    }

    private final RewiringFileReader reader;
    private final LineJudge judge;
    private final WiringStore store;
    private final RejectStore rejects;
    private final RewiringProgress progress;
    private final RewiringMode mode;
    private final long jobId;
    private final int chunkSize;
    private final long atomicMaxLines;
    private final TransactionTemplate savepoint;
    private final TransactionTemplate separate;
    private final JdbcTemplate jdbc;

    WholeFileTasklet(
            RewiringFileReader reader,
            LineJudge judge,
            WiringStore store,
            RejectStore rejects,
            RewiringProgress progress,
            PlatformTransactionManager transactions,
            JdbcTemplate jdbc,
            RewiringMode mode,
            long jobId,
            IngestProperties settings) {
        this.reader = reader;
        this.judge = judge;
        this.store = store;
        this.rejects = rejects;
        this.progress = progress;
        this.mode = mode;
        this.jdbc = jdbc;
        this.jobId = jobId;
        this.chunkSize = settings.chunkSize();
        this.atomicMaxLines = settings.atomicMaxLines();
        this.savepoint = new TransactionTemplate(transactions);
        this.savepoint.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
        this.separate = new TransactionTemplate(transactions);
        this.separate.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        StepExecution step = chunkContext.getStepContext().getStepExecution();
        if (step.getExecutionContext().containsKey(WRITTEN)) {
            // A restart of a run whose atomic write committed, with this step's position, but whose step could not
            // record its end (the database went away just then): its counts are those of the write; running the file
            // again would count its own changes as unchanged lines.
            return RepeatStatus.FINISHED;
        }
        separate.executeWithoutResult(s -> rejects.clear(jobId));
        Counts counts = Counts.NONE;
        try {
            reader.open(new ExecutionContext());
            if (mode == RewiringMode.ATOMIC && reader.totalLines() > atomicMaxLines) {
                throw new RejectedLines("Atomic mode takes files of up to " + atomicMaxLines + " lines "
                        + "(widgets.ingest.atomic-max-lines) and this one has " + reader.totalLines()
                        + "; nothing was applied. Split it, or run it in apply mode.");
            }
            try (DryRun dryRun = store.dryRun()) {
                counts = eachChunk(step, lines -> judge.judge(lines, dryRun), true);
            }
            if (mode == RewiringMode.ATOMIC) {
                if (counts.rejected() > 0) {
                    throw new RejectedLines(counts.rejected() + " of " + counts.read()
                            + " lines were rejected, so nothing was applied (atomic mode).");
                }
                counts = write(step);
                step.getExecutionContext().putString(WRITTEN, "true"); // saved in the write's own transaction
            }
        } catch (StoppedMidway e) {
            throw new JobInterruptedException("Stopped; nothing was applied.");
        } finally {
            reader.close();
            progress.finished(jobId);
            ExecutionContext context = step.getExecutionContext();
            ChunkWriter.putCounts(context, counts);
            context.putLong(RewiringFileReader.TOTAL, reader.totalLines());
        }
        return RepeatStatus.FINISHED;
    }

    /** The atomic write: the file again, in one transaction, rolled back whole if any line is now rejected. */
    private Counts write(StepExecution step) {
        reader.close();
        ExecutionContext known = new ExecutionContext();
        known.putLong(RewiringFileReader.TOTAL, reader.totalLines());
        reader.open(known);
        Counts[] written = {Counts.NONE};
        List<Reject> now = new ArrayList<>();
        savepoint.executeWithoutResult(status -> {
            written[0] = eachChunk(
                    step,
                    lines -> {
                        LineJudge.Verdict verdict = judge.applyInCallerTransaction(lines);
                        now.addAll(verdict.rejects());
                        return verdict;
                    },
                    false);
            if (!now.isEmpty()) {
                status.setRollbackOnly();
            }
        });
        if (!now.isEmpty()) {
            separate.executeWithoutResult(s -> rejects.add(jobId, now));
            Reject first = now.get(0);
            throw new RejectedLines("The wiring changed while the file was judged: " + now.size()
                    + " lines would now be rejected, the first line " + first.line() + " (" + first.code() + ": "
                    + first.message() + "). Nothing was applied; run the file again.");
        }
        return written[0];
    }

    /** Judges the file chunk by chunk; records the rejects when asked; stops between chunks when asked to. */
    private Counts eachChunk(
            StepExecution step, Function<List<FileLine>, LineJudge.Verdict> judgeChunk, boolean record) {
        Counts total = Counts.NONE;
        List<FileLine> chunk = new ArrayList<>(chunkSize);
        FileLine line;
        do {
            line = reader.read();
            if (line != null) {
                chunk.add(line);
            }
            if (chunk.size() == chunkSize || (line == null && !chunk.isEmpty())) {
                LineJudge.Verdict verdict = judgeChunk.apply(chunk);
                if (record) {
                    separate.executeWithoutResult(s -> rejects.add(jobId, verdict.rejects()));
                }
                total = total.plus(verdict.counts());
                progress.update(jobId, total, reader.totalLines());
                chunk = new ArrayList<>(chunkSize);
                if (stopRequested(step)) {
                    throw new StoppedMidway();
                }
            }
        } while (line != null);
        return total;
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
