package com.widgets.bench.load;

import com.widgets.bench.load.ClosedLoop.Measured;
import com.widgets.bench.load.ClosedLoop.Op;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs operations at a fixed rate (an open loop), as writers and readers that do not wait for each other do: {@code
 * threads} workers, each with its own schedule of intended start times. Latency is measured from the intended start,
 * so a slow answer counts for the calls queued behind it too (no coordinated omission), and a service that cannot keep
 * the rate shows as a lower rate with growing latency rather than as a flattering one.
 */
public final class FixedRate {

    private static final Logger log = LoggerFactory.getLogger(FixedRate.class);

    private FixedRate() {}

    /**
     * A worker's slowest call: when it was meant to start (ns after the run's start), how late it started (the
     * harness's own stall: a parked thread woken late) and how long the call itself took (the service's).
     */
    private record Slowest(long intendedOffset, long lateNanos, long callNanos) {
        long totalNanos() {
            return lateNanos + callNanos;
        }
    }

    /** A worker's latencies and its slowest call. */
    private record Worker(Histogram latencies, Slowest slowest) {}

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
        List<Future<Worker>> workers = new ArrayList<>();
        for (int w = 0; w < threads; w++) {
            int worker = w;
            long first = start + w * period / threads; // spread the workers' schedules over one period
            workers.add(pool.submit(() -> {
                Histogram h = new Histogram(60_000_000L, 3);
                Slowest slowest = new Slowest(0, 0, 0);
                for (long i = 0; ; i++) {
                    long intended = first + i * period;
                    if (intended >= until && !(even && i % 2 == 1)) {
                        break;
                    }
                    long wait = intended - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    long began = System.nanoTime();
                    boolean ok = op.run(worker, i);
                    long ended = System.nanoTime();
                    h.recordValue(Math.max(1, (ended - intended) / 1000));
                    if (ended - intended > slowest.totalNanos()) {
                        slowest = new Slowest(intended - start, Math.max(0, began - intended), ended - began);
                    }
                    if (!ok) {
                        errors.incrementAndGet();
                    }
                }
                return new Worker(h, slowest);
            }));
        }
        Histogram all = new Histogram(60_000_000L, 3);
        Slowest slowest = new Slowest(0, 0, 0);
        for (Future<Worker> f : workers) {
            Worker w = f.get();
            all.add(w.latencies());
            if (w.slowest().totalNanos() > slowest.totalNanos()) {
                slowest = w.slowest();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        // where a stretch's tail came from, to set beside the service's and the harness's logs
        log.info(
                "Fixed rate: p99 {} ms; the slowest call was meant to start {} s in, started {} ms late and took {} ms",
                String.format(Locale.ROOT, "%.2f", all.getValueAtPercentile(99) / 1000.0),
                String.format(Locale.ROOT, "%.3f", slowest.intendedOffset() / 1e9),
                String.format(Locale.ROOT, "%.1f", slowest.lateNanos() / 1e6),
                String.format(Locale.ROOT, "%.1f", slowest.callNanos() / 1e6));
        pool.shutdown();
        pool.awaitTermination(1, TimeUnit.MINUTES);
        return new Measured(threads, all.getTotalCount(), errors.get(), seconds, all);
    }
}
