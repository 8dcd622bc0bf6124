package com.widgets.ingest.rewire;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * The job repository, with the updates of one job execution made one at a time in this process. Spring Batch's
 * {@code update(JobExecution)} reads the stored version, then writes with it; two threads updating one execution —
 * a job recording its own end, and a shutdown or a stop marking it stopping ({@link RewiringJobs}) — could both read
 * one version, and the second write then failed ({@code OptimisticLockingFailureException}). When the job's own write
 * lost, its thread died and the run stayed marked running. Made one at a time, the second reads the first one's
 * version and writes after it. A stop asked on another replica is not covered: that replica's write races as before.
 */
final class OneExecutionUpdateAtATime implements BeanPostProcessor {

    private final Object[] locks = new Object[64];

    OneExecutionUpdateAtATime() {
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (!(bean instanceof JobRepository)) {
            return bean;
        }
        ProxyFactory proxy = new ProxyFactory(bean);
        proxy.addAdvice((MethodInterceptor) this::oneAtATime);
        return proxy.getProxy(bean.getClass().getClassLoader());
    }

    private Object oneAtATime(MethodInvocation call) throws Throwable {
        Object[] arguments = call.getArguments();
        if (call.getMethod().getName().equals("update")
                && arguments.length == 1
                && arguments[0] instanceof JobExecution execution) {
            synchronized (locks[(int) Math.floorMod(execution.getId(), (long) locks.length)]) {
                return call.proceed();
            }
        }
        return call.proceed();
    }
}
