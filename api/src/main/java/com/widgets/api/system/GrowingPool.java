package com.widgets.api.system;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
 * pool steps back down by {@code base}, and a thread above the new size ends as soon as its request is done, queue or
 * no queue. Tomcat's own pool starts a thread for every request in flight up to its maximum instead, so all of them
 * share the cores at once.
 *
 * <p>More threads help only when the ones there are held: at least one of them on the same request for over {@code
 * growAfter} (a lock held elsewhere, a database that stalls). While they all keep answering, an old queue means they
 * wait for the cores, and more of them would only lengthen everyone's wait for one: then the pool grows only once the
 * oldest request has waited {@value #UNHELD_WAITS} times as long, so an overload that lasts still reaches the
 * connection pool's bound and is answered {@code BUSY}. On two cores under 32 writers, a pool that grew on the queue's
 * age alone (and then, stepping down, started a thread for every other request) held the mutations' p99 at ~110 ms;
 * growing only while a thread is held, it stayed at its 8 threads and the p99 at 40–55 ms (bench/PROFILE.md,
 * 2026-12-06 fifth session).
 */
final class GrowingPool extends ThreadPoolExecutor {

    /** How many times {@code growAfter} the queue must stay short before the pool steps down. */
    private static final int CALM_STEPS = 10;

    /** How many times {@code growAfter} the oldest request must have waited to grow a pool with no thread held. */
    static final int UNHELD_WAITS = 10;

    private final int base;
    private final int max;
    private final long growAfterNanos;
    private final ScheduledExecutorService monitor;
    private final Started started;
    /** When the queue's wait last fell under half the limit, or -1 while it is not; the monitor's thread only. */
    private long calmSince = -1;

    GrowingPool(String name, int base, int max, long growAfterNanos) {
        this(name, base, max, growAfterNanos, new Started(name, new Workers()));
    }

    /**
     * The executor's own maximum is always the pool's current size, {@code max} only its bound: with an unbounded
     * queue the executor never starts a thread over its core size anyway, and a maximum that follows the size is what
     * ends the threads over it when the size steps down. Each then ends at its next look for work, even with work
     * queued, and the executor does not start one in its place (Tomcat's pool does so for a thread that ends while
     * work waits, its bug 65454, but never past the maximum). Under a queue that never empties — more clients than
     * threads — threads over the size that ended only on finding the queue empty stayed for as long as the load did
     * (bench/PROFILE.md, 2026-12-06 seventh session).
     */
    private GrowingPool(String name, int base, int max, long growAfterNanos, Started started) {
        super(base, base, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), started);
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
        super.execute(new Queued(task, System.nanoTime(), started.workers));
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
            if (size < max && (waited > UNHELD_WAITS * growAfterNanos || aThreadHeld(now))) {
                sizeTo(Math.min(max, size + base));
            }
        } else if (waited >= growAfterNanos / 2) {
            calmSince = -1;
        } else if (calmSince < 0) {
            calmSince = now;
        } else if (size > base && now - calmSince >= CALM_STEPS * growAfterNanos) {
            sizeTo(Math.max(base, size - base));
            calmSince = now;
        }
    }

    /** The executor's core size and maximum both {@code size}, set in the order the executor accepts (core ≤ max). */
    private void sizeTo(int size) {
        if (size > getCorePoolSize()) {
            setMaximumPoolSize(size);
            setCorePoolSize(size);
        } else {
            setCorePoolSize(size);
            setMaximumPoolSize(size);
        }
    }

    /** Whether a thread has been on its request for over {@code growAfter}. */
    private boolean aThreadHeld(long now) {
        for (Worker worker : started.workers.all) {
            long since = worker.started;
            if (since != Worker.IDLE && now - since > growAfterNanos) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void shutdown() {
        monitor.shutdownNow();
        super.shutdown();
    }

    /** Tomcat's thread factory (its names, daemon threads), counting, each thread registered while it lives. */
    private static final class Started implements ThreadFactory {

        private final TaskThreadFactory threads;
        private final AtomicLong count = new AtomicLong();
        private final Workers workers;

        Started(String name, Workers workers) {
            this.threads = new TaskThreadFactory(name + "-exec-", true, Thread.NORM_PRIORITY);
            this.workers = workers;
        }

        @Override
        public Thread newThread(Runnable loop) {
            count.incrementAndGet();
            return threads.newThread(workers.registered(loop));
        }
    }

    /**
     * The pool's threads, for the monitor to see how long each has been on its request. Each thread writes only its
     * own entry, so a request costs two volatile writes and no shared structure; the set changes only as threads
     * start and end.
     */
    private static final class Workers {
        private final Set<Worker> all = ConcurrentHashMap.newKeySet();
        private final ThreadLocal<Worker> current = new ThreadLocal<>();

        Runnable registered(Runnable loop) {
            return () -> {
                Worker worker = new Worker();
                all.add(worker);
                current.set(worker);
                try {
                    loop.run();
                } finally {
                    all.remove(worker);
                }
            };
        }
    }

    /** One thread: since when it has been on its request, or {@link #IDLE}. */
    private static final class Worker {
        private static final long IDLE = Long.MIN_VALUE;
        private volatile long started = IDLE;
    }

    /** A request, from when it was queued. */
    private static final class Queued implements Runnable {
        private final Runnable task;
        private final long since;
        private final Workers workers;

        Queued(Runnable task, long since, Workers workers) {
            this.task = task;
            this.since = since;
            this.workers = workers;
        }

        @Override
        public void run() {
            Worker worker = workers.current.get();
            if (worker == null) { // not on one of the pool's threads
                task.run();
                return;
            }
            worker.started = System.nanoTime();
            try {
                task.run();
            } finally {
                worker.started = Worker.IDLE;
            }
        }
    }
}
