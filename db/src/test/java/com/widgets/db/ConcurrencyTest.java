package com.widgets.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Real threads against the real database; afterwards SQL checks the invariants. Deadlocks are counted by PostgreSQL
 * itself: the canonical lock order means there must be none, not merely none that surfaced after a retry.
 */
class ConcurrencyTest extends StoreTestSupport {

    private static final Origin ME = Origin.request("race", "r");

    @Test
    void thirtyTwoThreadsFightForOneFreePortAndExactlyOneWinsEachRound() throws Exception {
        int threads = 32, rounds = 1000;
        store.addWidget("hub", "hub", Set.of(PortType.P), ME);
        for (int t = 0; t < threads; t++) {
            store.addWidget("c" + t, "contender", Set.of(PortType.Q), ME);
        }
        PortRef hub = new PortRef("hub", PortType.P);
        CyclicBarrier start = new CyclicBarrier(threads);
        CyclicBarrier end = new CyclicBarrier(threads, () -> store.unlink(hub, null, ME));
        Map<Integer, AtomicLong> winsPerRound = new ConcurrentHashMap<>();
        AtomicLong busy = new AtomicLong();
        List<String> surprises = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                PortRef mine = new PortRef("c" + t, PortType.Q);
                all.add(pool.submit(() -> {
                    for (int round = 0; round < rounds; round++) {
                        start.await(30, TimeUnit.SECONDS);
                        try {
                            if (store.link(mine, hub, ME).changed()) {
                                winsPerRound
                                        .computeIfAbsent(round, r -> new AtomicLong())
                                        .incrementAndGet();
                            }
                        } catch (WiringException e) {
                            if (e.code() == ErrorCode.PORT_BUSY) {
                                busy.incrementAndGet();
                            } else {
                                synchronized (surprises) {
                                    surprises.add(e.code() + ": " + e.getMessage()
                                            + (e.getCause() == null ? "" : " (" + e.getCause() + ")"));
                                }
                            }
                        }
                        end.await(30, TimeUnit.SECONDS);
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(surprises).isEmpty();
        assertThat(winsPerRound).hasSize(rounds);
        assertThat(winsPerRound.values()).allSatisfy(w -> assertThat(w.get()).isEqualTo(1));
        assertThat(busy.get()).isEqualTo((long) rounds * (threads - 1));
        assertThat(db.count("SELECT count(*) FROM wiring_history WHERE event = 'LINKED'"))
                .isEqualTo(2L * rounds);
        assertThat(db.invariantViolations()).isEmpty();
    }

    @Test
    void oppositeLinksAndRemovalsNeverDeadlock() throws Exception {
        List<String> serials = List.of("A", "B", "C");
        serials.forEach(s -> store.addWidget(s, s, EnumSet.allOf(PortType.class), ME));
        long deadlocksBefore = deadlocks();
        List<String> surprises = new ArrayList<>();
        runThreads(
                8,
                Duration.ofSeconds(8),
                random -> {
                    String x = serials.get(random.nextInt(3));
                    String y = serials.get(random.nextInt(3));
                    PortType px = PortType.values()[random.nextInt(3)];
                    PortType py = PortType.values()[random.nextInt(3)];
                    int what = random.nextInt(10);
                    if (what < 5) {
                        store.link(new PortRef(x, px), new PortRef(y, py), ME);
                    } else if (what < 8) {
                        store.unlink(new PortRef(x, px), null, ME);
                    } else if (what < 9) {
                        store.removeWidget(x, ME);
                    } else {
                        store.addWidget(x, x, EnumSet.allOf(PortType.class), ME);
                    }
                },
                surprises);

        assertThat(surprises).isEmpty();
        assertThat(db.invariantViolations()).isEmpty();
        assertThat(db.replayHistory()).isEqualTo(db.snapshot());
        assertThat(deadlocks()).isEqualTo(deadlocksBefore);
    }

    @Test
    void stormOfRandomChangesKeepsEveryInvariantAndTheHistoryReplays() throws Exception {
        int widgets = 1000;
        SplittableRandom seed = new SplittableRandom(42);
        for (int i = 0; i < widgets; i++) {
            store.addWidget("W" + i, "storm " + i, randomPorts(seed), ME);
        }
        long deadlocksBefore = deadlocks();
        List<String> surprises = new ArrayList<>();
        AtomicLong changes = new AtomicLong();
        long ops = runThreads(
                16,
                Duration.ofSeconds(20),
                random -> {
                    String x = "W" + random.nextInt(widgets);
                    String y = "W" + random.nextInt(widgets);
                    PortRef a = new PortRef(x, PortType.values()[random.nextInt(3)]);
                    PortRef b = new PortRef(y, PortType.values()[random.nextInt(3)]);
                    int what = random.nextInt(100);
                    Change<?> change;
                    if (what < 50) {
                        change = store.link(a, b, ME);
                    } else if (what < 80) {
                        change = store.unlink(a, random.nextBoolean() ? null : b, ME);
                    } else if (what < 90) {
                        change = store.removeWidget(x, ME);
                    } else {
                        change = store.addWidget(x, "storm " + x.substring(1), randomPorts(random), ME);
                    }
                    if (change.changed()) {
                        changes.incrementAndGet();
                    }
                },
                surprises);

        assertThat(surprises).isEmpty();
        assertThat(ops).isGreaterThan(1000);
        assertThat(changes.get()).isGreaterThan(100);
        assertThat(db.invariantViolations()).isEmpty();
        assertThat(db.count("SELECT count(*) FROM port WHERE peer_serial IS NOT NULL"))
                .isPositive();
        assertThat(db.replayHistory()).isEqualTo(db.snapshot());
        assertThat(deadlocks()).isEqualTo(deadlocksBefore);
    }

    private static Set<PortType> randomPorts(SplittableRandom random) {
        Set<PortType> ports = EnumSet.noneOf(PortType.class);
        for (PortType t : PortType.values()) {
            if (random.nextBoolean()) {
                ports.add(t);
            }
        }
        return ports.isEmpty() ? EnumSet.of(PortType.values()[random.nextInt(3)]) : ports;
    }

    interface Op {
        void run(SplittableRandom random);
    }

    /**
     * Runs {@code op} on {@code threads} threads until {@code time} is up; refusals a user could get are expected,
     * anything else (contention, unavailability, a runtime error) is collected in {@code surprises}.
     */
    private static long runThreads(int threads, Duration time, Op op, List<String> surprises) throws Exception {
        long until = System.nanoTime() + time.toNanos();
        AtomicLong ops = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                SplittableRandom random = new SplittableRandom(1000 + t);
                all.add(pool.submit(() -> {
                    while (System.nanoTime() < until) {
                        try {
                            op.run(random);
                        } catch (WiringException e) {
                            if (e.code() == ErrorCode.CONTENTION
                                    || e.code() == ErrorCode.UNAVAILABLE
                                    || e.code() == ErrorCode.BUSY) {
                                synchronized (surprises) {
                                    surprises.add(e.code() + ": " + e.getMessage()
                                            + (e.getCause() == null ? "" : " (" + e.getCause() + ")"));
                                }
                            }
                        } catch (RuntimeException e) {
                            synchronized (surprises) {
                                surprises.add(e.toString());
                            }
                        }
                        ops.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get(time.toSeconds() + 60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        return ops.get();
    }

    /** Deadlocks PostgreSQL detected in this database; backends report their statistics within about a second. */
    private long deadlocks() throws InterruptedException {
        Thread.sleep(1500);
        return db.count("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()");
    }
}
