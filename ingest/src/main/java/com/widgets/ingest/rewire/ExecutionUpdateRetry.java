package com.widgets.ingest.rewire;

import java.lang.reflect.UndeclaredThrowableException;
import java.util.EnumSet;
import java.util.Set;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The job repository, with a job's write of its own execution made again when a stop landed between the write's read
 * of the row's version and the write itself. Spring Batch's {@code update(JobExecution)} reads the stored version
 * (taking the stored status when the row is newer), then writes with it. A stop ({@link StopMarks}, from this process
 * or from another replica) raises the version at any moment; a job's write in between failed ({@code
 * OptimisticLockingFailureException}), its thread died, and the run stayed marked running for ever.
 *
 * <p>Written again, the write reads the stop: a running job records that it is stopping, and stops at its next chunk
 * boundary. A job that completed records that it completed, whenever the stop landed: the stop came too late to stop
 * anything, and Spring Batch would otherwise record a completed run as STOPPED (a stopping execution with an end
 * time), one that a restart has to finish. Only the job's own copy of its execution is written again; the other
 * writers of a running execution go through {@link StopMarks}, which never writes from a copy.
 *
 * <p>A job stopping for its process's shutdown carries {@link ShutdownStop#MARK} as its exit description, so that
 * the next start resumes it; the job's own writes while it stops would replace the stored mark with their own
 * description. So each write of an execution is made in one transaction with its stored row locked, and takes the
 * stored mark over while the row says stopping. Someone may stop the job on purpose while it stops ({@link
 * StopMarks#keepStopped}, which takes the mark off the row): a copy that carries the mark then loses it, so the
 * purposeful stop holds whichever of the two writes comes first, on any replica.
 */
final class ExecutionUpdateRetry implements BeanPostProcessor {

    private static final String STORED = """
            SELECT status, exit_message FROM batch_job_execution WHERE job_execution_id = ? FOR UPDATE
            """;

    /** A job that completed or failed was not stopped by the shutdown, whatever the stored row says. */
    private static final Set<BatchStatus> MAY_CARRY_THE_MARK = EnumSet.range(BatchStatus.STARTING, BatchStatus.STOPPED);

    /**
     * A running execution is marked stopping at most once ({@link StopMarks}), so a write fails at most once, and a
     * completed run's write that took the stop is made once more: four attempts leave one spare.
     */
    private static final int ATTEMPTS = 4;

    private final ObjectProvider<JdbcTemplate> jdbc;
    private final ObjectProvider<PlatformTransactionManager> transactions;

    /** Looked up at the first write, not before: a post-processor's own dependencies would be made too early. */
    ExecutionUpdateRetry(ObjectProvider<JdbcTemplate> jdbc, ObjectProvider<PlatformTransactionManager> transactions) {
        this.jdbc = jdbc;
        this.transactions = transactions;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (!(bean instanceof JobRepository)) {
            return bean;
        }
        ProxyFactory proxy = new ProxyFactory(bean);
        proxy.addAdvice((MethodInterceptor) this::retried);
        return proxy.getProxy(bean.getClass().getClassLoader());
    }

    private Object retried(MethodInvocation call) throws Throwable {
        Object[] arguments = call.getArguments();
        if (!(call.getMethod().getName().equals("update")
                && arguments.length == 1
                && arguments[0] instanceof JobExecution execution)) {
            return call.proceed();
        }
        boolean completed = execution.getStatus() == BatchStatus.COMPLETED && execution.getEndTime() != null;
        for (int attempt = 1; ; attempt++) {
            boolean lastAttempt = attempt == ATTEMPTS;
            try {
                Object result = writtenWithTheStoredMark(call, execution);
                if (!completed || execution.getStatus() == BatchStatus.COMPLETED || lastAttempt) {
                    return result;
                }
                // The update read a stop that landed before it, took its STOPPING, and wrote STOPPED since the run has
                // ended; but the stop came too late to stop anything: the run completed.
                execution.setStatus(BatchStatus.COMPLETED);
            } catch (OptimisticLockingFailureException stale) {
                if (lastAttempt) {
                    throw stale;
                }
                // written again, the update reads the newer version and status itself
            }
        }
    }

    /**
     * The write, in one transaction with its stored row locked: with the shutdown's mark while the stored row, stopping,
     * has it and the job has not completed or failed; without it when the stored row no longer has it.
     */
    private Object writtenWithTheStoredMark(MethodInvocation call, JobExecution execution) {
        return new TransactionTemplate(transactions.getObject()).execute(transaction -> {
            jdbc.getObject()
                    .query(
                            STORED,
                            (RowCallbackHandler) row -> {
                                boolean storedMark = ShutdownStop.MARK.equals(row.getString("exit_message"));
                                ExitStatus exit = execution.getExitStatus();
                                if (storedMark
                                        && row.getString("status").equals(BatchStatus.STOPPING.name())
                                        && MAY_CARRY_THE_MARK.contains(execution.getStatus())) {
                                    execution.setExitStatus(new ExitStatus(exit.getExitCode(), ShutdownStop.MARK));
                                } else if (!storedMark && ShutdownStop.marks(execution)) {
                                    execution.setExitStatus(new ExitStatus(exit.getExitCode()));
                                }
                            },
                            execution.getId());
            return written(call); // Spring Batch's write joins this transaction
        });
    }

    private static Object written(MethodInvocation call) {
        try {
            return ((ProxyMethodInvocation) call).invocableClone().proceed();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new UndeclaredThrowableException(e);
        }
    }
}
