package com.widgets.ingest.rewire;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.dao.OptimisticLockingFailureException;

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
 */
final class ExecutionUpdateRetry implements BeanPostProcessor {

    /**
     * A running execution is marked stopping at most once ({@link StopMarks}), so a write fails at most once, and a
     * completed run's write that took the stop is made once more: four attempts leave one spare.
     */
    private static final int ATTEMPTS = 4;

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (!(bean instanceof JobRepository)) {
            return bean;
        }
        ProxyFactory proxy = new ProxyFactory(bean);
        proxy.addAdvice((MethodInterceptor) ExecutionUpdateRetry::retried);
        return proxy.getProxy(bean.getClass().getClassLoader());
    }

    private static Object retried(MethodInvocation call) throws Throwable {
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
                Object result = ((ProxyMethodInvocation) call).invocableClone().proceed();
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
}
