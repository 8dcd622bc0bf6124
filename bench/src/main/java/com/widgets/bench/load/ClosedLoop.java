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

    /**
     * A figure measured once its rate had settled ({@link #runSettled}): the measurement, and how many unmeasured rounds
     * ran before it; {@code settled} is false when the last round was still faster than the best before it.
     */
    public record SettledRun(Measured measured, int rounds, Duration round, boolean settled) {
        /** "after 5 unmeasured rounds of 10 s", or "…, its rate still rising" at the cap. */
        public String text() {
            return "after " + rounds + " unmeasured round" + (rounds == 1 ? "" : "s") + " of " + round.toSeconds()
                    + " s" + (settled ? "" : ", its rate still rising");
        }
    }

    /** A round at most this much faster than the best before it counts as not rising. */
    static final double RISING = 1.02;

    /** This many rounds in a row not rising settle a figure. */
    static final int FLAT_ROUNDS = 3;

    private ClosedLoop() {}

    /**
     * Unmeasured rounds of {@code round} until the rate stops rising ({@value #FLAT_ROUNDS} rounds in a row, none more
     * than 2 % faster than the best before it), at most {@code maxRounds}, then measured for {@code time} on the same
     * workers. A short fixed warm-up is not enough on a large database: each new PostgreSQL backend takes a page fault
     * on every page of the shared buffers it touches first, so 8 fresh connections reading 10M widgets at random ran
     * at a fifth of their later rate at first and took two to three minutes to reach it (bench/PROFILE.md, 2026-12-06
     * third session), while a pool long in use had paid for its faults already. Rounds of 3 s stopped too early on
     * that slow rise; 10 s rounds and a 2 % step follow it.
     */
    public static SettledRun runSettled(
            int concurrency, Duration round, int maxRounds, Duration time, boolean even, Op op) throws Exception {
        double best = 0;
        int flat = 0;
        int rounds = 0;
        while (rounds < maxRounds && flat < FLAT_ROUNDS) {
            double rate =
                    measure(concurrency, round, even, op, new AtomicLong()).opsPerSecond();
            rounds++;
            flat = rounds > 1 && rate <= best * RISING ? flat + 1 : 0;
            best = Math.max(best, rate);
        }
        Measured measured = measure(concurrency, time, even, op, new AtomicLong(1_000_000_000L));
        return new SettledRun(measured, rounds, round, flat >= FLAT_ROUNDS);
    }

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
        try {
            return measure(pool, concurrency, time, even, op, offset);
        } finally {
            // also when a worker failed (a bound's connection refused, say): the pool's threads would otherwise keep
            // the harness's JVM alive after its report is written
            pool.shutdown();
        }
    }

    private static Measured measure(
            ExecutorService pool, int concurrency, Duration time, boolean even, Op op, AtomicLong offset)
            throws Exception {
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
        return new Measured(concurrency, all.getTotalCount(), errors.get(), seconds, all);
    }
}
