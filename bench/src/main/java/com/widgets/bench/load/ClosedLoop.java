package com.widgets.bench.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/** Runs a closed loop: each of {@code concurrency} workers issues its next operation as soon as the last returns. */
public final class ClosedLoop {

    /** One worker's operation; {@code i} counts that worker's calls. Returns false when the operation failed. */
    public interface Op {
        boolean run(int worker, long i) throws Exception;
    }

    /** Throughput and latency of one run. */
    public record Measured(int concurrency, long ops, long errors, double seconds, Histogram latencyMicros) {
        public double opsPerSecond() {
            return ops / seconds;
        }

        public double p50Millis() {
            return latencyMicros.getValueAtPercentile(50) / 1000.0;
        }

        public double p99Millis() {
            return latencyMicros.getValueAtPercentile(99) / 1000.0;
        }

        /** "p99 1.23 ms". */
        public String p99String() {
            return String.format(Locale.ROOT, "p99 %.2f ms", p99Millis());
        }
    }

    private ClosedLoop() {}

    /** Warms up, then measures for {@code time}; operations always complete in pairs when {@code even} is set. */
    public static Measured run(int concurrency, Duration warmUp, Duration time, boolean even, Op op) throws Exception {
        return run(concurrency, warmUp, time, even, op, () -> {});
    }

    /** Like {@link #run(int, Duration, Duration, boolean, Op)}, calling {@code measuring} as the measurement starts. */
    public static Measured run(int concurrency, Duration warmUp, Duration time, boolean even, Op op, Runnable measuring)
            throws Exception {
        measure(concurrency, warmUp, even, op, new AtomicLong());
        measuring.run();
        return measure(concurrency, time, even, op, new AtomicLong(1_000_000_000L));
    }

    private static Measured measure(int concurrency, Duration time, boolean even, Op op, AtomicLong offset)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        AtomicLong errors = new AtomicLong();
        List<Future<Histogram>> workers = new ArrayList<>();
        long start = System.nanoTime();
        long until = start + time.toNanos();
        long base = offset.get();
        for (int w = 0; w < concurrency; w++) {
            int worker = w;
            workers.add(pool.submit(() -> {
                Histogram h = new Histogram(60_000_000L, 3);
                for (long i = base; System.nanoTime() < until || (even && (i - base) % 2 == 1); i++) {
                    long t0 = System.nanoTime();
                    boolean ok = op.run(worker, i);
                    h.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
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
        return new Measured(concurrency, all.getTotalCount(), errors.get(), seconds, all);
    }
}
