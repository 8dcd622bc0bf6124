package com.widgets.bench.load;

import com.widgets.bench.load.ClosedLoop.Measured;
import com.widgets.bench.load.ClosedLoop.Op;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Runs operations at a fixed rate (an open loop), as writers and readers that do not wait for each other do: {@code
 * threads} workers, each with its own schedule of intended start times. Latency is measured from the intended start,
 * so a slow answer counts for the calls queued behind it too (no coordinated omission), and a service that cannot keep
 * the rate shows as a lower rate with growing latency rather than as a flattering one.
 */
public final class FixedRate {

    private FixedRate() {}

    /**
     * {@code perSecond} operations a second in all, for {@code time}; with {@code even} set every worker ends on an even
     * count of calls (a link is always followed by its unlink).
     */
    public static Measured run(int threads, double perSecond, Duration time, boolean even, Op op) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicLong errors = new AtomicLong();
        long period = Math.round(threads * 1e9 / perSecond);
        long start = System.nanoTime();
        long until = start + time.toNanos();
        List<Future<Histogram>> workers = new ArrayList<>();
        for (int w = 0; w < threads; w++) {
            int worker = w;
            long first = start + w * period / threads; // spread the workers' schedules over one period
            workers.add(pool.submit(() -> {
                Histogram h = new Histogram(60_000_000L, 3);
                for (long i = 0; ; i++) {
                    long intended = first + i * period;
                    if (intended >= until && !(even && i % 2 == 1)) {
                        break;
                    }
                    long wait = intended - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    boolean ok = op.run(worker, i);
                    h.recordValue(Math.max(1, (System.nanoTime() - intended) / 1000));
                    if (!ok) {
                        errors.incrementAndGet();
                    }
                }
                return h;
            }));
        }
        Histogram all = new Histogram(60_000_000L, 3);
        for (Future<Histogram> f : workers) {
            all.add(f.get());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        pool.awaitTermination(1, TimeUnit.MINUTES);
        return new Measured(threads, all.getTotalCount(), errors.get(), seconds, all);
    }
}
