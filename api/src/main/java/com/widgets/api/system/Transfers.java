package com.widgets.api.system;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.thread.Threading;
import org.springframework.core.env.Environment;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.TaskRejectedException;
import org.springframework.core.task.support.ContextPropagatingTaskDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.async.WebAsyncTask;

/**
 * Where uploads and downloads run: on a thread of their own (a virtual one where requests get virtual threads), so a
 * client that sends or reads slowly holds that thread and not one of the few request threads ({@link
 * RequestThreads}). At most {@code widgets.http.max-transfers} at once; the next is refused at once with Spring's
 * {@code TaskRejectedException}, answered {@code BUSY}. A transfer has no time limit of its own, as it had none on a
 * request thread: the container's read and write timeouts still end one whose client went silent.
 */
@Component
public class Transfers implements DisposableBean, MeterBinder {

    /** The servlet container's async timeout meaning none. */
    private static final long NO_TIMEOUT = 0;

    private final AtomicInteger active = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutor("transfer-") {
        /** Where {@code submit} hands every task, and where one past the limit is refused. */
        @Override
        @SuppressWarnings("deprecation")
        public void execute(Runnable task, long startTimeout) {
            try {
                super.execute(task, startTimeout);
            } catch (TaskRejectedException e) {
                refused.incrementAndGet();
                throw e;
            }
        }
    };

    Transfers(HttpSettings settings, Environment environment) {
        executor.setVirtualThreads(Threading.VIRTUAL.isActive(environment));
        executor.setConcurrencyLimit(settings.maxTransfers());
        executor.setRejectTasksWhenLimitReached(true);
        // the request id (in the log lines' MDC) and the request's observation follow the transfer to its thread
        TaskDecorator context = new ContextPropagatingTaskDecorator();
        executor.setTaskDecorator(task -> {
            Runnable inContext = context.decorate(task);
            return () -> {
                active.incrementAndGet();
                try {
                    inContext.run();
                } finally {
                    active.decrementAndGet();
                }
            };
        });
    }

    /**
     * Runs {@code transfer} off the request thread: return the task from a controller method, and Spring MVC answers
     * with what it returns (or maps what it throws) once it is done.
     */
    public <T> WebAsyncTask<T> run(Callable<T> transfer) {
        return new WebAsyncTask<>(NO_TIMEOUT, executor, transfer);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("widgets.transfers.active", active, AtomicInteger::get)
                .description("Uploads and downloads in progress (at most widgets.http.max-transfers)")
                .register(registry);
        FunctionCounter.builder("widgets.transfers.refused", refused, AtomicLong::get)
                .description("Uploads and downloads answered BUSY: every transfer slot was in use")
                .register(registry);
    }

    @Override
    public void destroy() {
        executor.close();
    }
}
