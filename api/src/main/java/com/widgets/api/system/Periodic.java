package com.widgets.api.system;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Background tasks of the service that repeat on a fixed delay, each on a daemon thread of its own. */
public final class Periodic {

    private Periodic() {}

    /** Runs {@code task} every {@code delay} (first after one delay) until the returned executor is shut down. */
    public static ScheduledExecutorService every(Duration delay, String threadName, Runnable task) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, threadName);
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(task, delay.toMillis(), delay.toMillis(), TimeUnit.MILLISECONDS);
        return timer;
    }
}
