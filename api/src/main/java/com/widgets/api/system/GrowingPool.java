package com.widgets.api.system;

import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.tomcat.util.threads.TaskThreadFactory;
import org.apache.tomcat.util.threads.ThreadPoolExecutor;

/**
 * Tomcat's request threads as a pool of {@code base} that grows while requests wait long: every {@code growAfter / 4}
 * it looks at how long the oldest queued request has waited; over {@code growAfter}, {@code base} more threads start
 * (up to {@code max}) and take the queued requests; once it has stayed under half of that for ten times as long, the
 * pool steps back down by {@code base}, and a thread above the new size ends when it next looks for work. Tomcat's
 * own pool starts a thread for every request in flight up to its maximum instead, so all of them share the cores at
 * once.
 */
final class GrowingPool extends ThreadPoolExecutor {

    /** How many times {@code growAfter} the queue must stay short before the pool steps down. */
    private static final int CALM_STEPS = 10;

    private final int base;
    private final int max;
    private final long growAfterNanos;
    private final ScheduledExecutorService monitor;
    private final Started started;
    /** When the queue's wait last fell under half the limit, or -1 while it is not; the monitor's thread only. */
    private long calmSince = -1;

    GrowingPool(String name, int base, int max, long growAfterNanos) {
        this(name, base, max, growAfterNanos, new Queue(), new Started(name));
    }

    private GrowingPool(String name, int base, int max, long growAfterNanos, Queue queue, Started started) {
        super(base, max, 60, TimeUnit.SECONDS, queue, started);
        queue.pool = this;
        this.started = started;
        this.base = base;
        this.max = max;
        this.growAfterNanos = growAfterNanos;
        this.monitor = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, name + "-threads");
            thread.setDaemon(true);
            return thread;
        });
        long every = Math.max(1, growAfterNanos / 4);
        monitor.scheduleWithFixedDelay(this::resize, every, every, TimeUnit.NANOSECONDS);
    }

    /** Threads started since the pool was made. */
    long threadsStarted() {
        return started.count.get();
    }

    @Override
    public void execute(Runnable task) {
        super.execute(new Queued(task, System.nanoTime()));
    }

    /** How long the oldest queued task has waited; 0 with none queued. */
    private long oldestWaitNanos() {
        return getQueue().peek() instanceof Queued oldest ? System.nanoTime() - oldest.since : 0;
    }

    /**
     * Grows at once and steps down slowly: under a database that stalls again and again, a pool that shrank as soon as
     * its queue was short started and ended threads by the thousand.
     */
    void resize() {
        long now = System.nanoTime();
        long waited = oldestWaitNanos();
        int size = getCorePoolSize();
        if (waited > growAfterNanos) {
            calmSince = -1;
            if (size < max) {
                setCorePoolSize(Math.min(max, size + base));
            }
        } else if (waited >= growAfterNanos / 2) {
            calmSince = -1;
        } else if (calmSince < 0) {
            calmSince = now;
        } else if (size > base && now - calmSince >= CALM_STEPS * growAfterNanos) {
            setCorePoolSize(Math.max(base, size - base));
            calmSince = now;
        }
    }

    @Override
    public void shutdown() {
        monitor.shutdownNow();
        super.shutdown();
    }

    /** Tomcat's thread factory (its names, daemon threads), counting. */
    private static final class Started implements ThreadFactory {

        private final TaskThreadFactory threads;
        private final AtomicLong count = new AtomicLong();

        Started(String name) {
            this.threads = new TaskThreadFactory(name + "-exec-", true, Thread.NORM_PRIORITY);
        }

        @Override
        public Thread newThread(Runnable task) {
            count.incrementAndGet();
            return threads.newThread(task);
        }
    }

    private record Queued(Runnable task, long since) implements Runnable {
        @Override
        public void run() {
            task.run();
        }
    }

    /**
     * Unbounded, so a request beyond the running threads always waits here rather than starting a thread of its own.
     * A thread asks for work with a time limit only while the pool is over its current size: it is told there is none
     * at once, and ends.
     */
    private static final class Queue extends LinkedBlockingQueue<Runnable> {

        private GrowingPool pool;

        @Override
        public Runnable poll(long timeout, TimeUnit unit) throws InterruptedException {
            if (pool.getPoolSizeNoLock() > pool.getCorePoolSize()) {
                return null;
            }
            return super.poll(timeout, unit);
        }
    }
}
