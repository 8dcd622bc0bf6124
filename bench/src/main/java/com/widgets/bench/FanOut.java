package com.widgets.bench;

import com.widgets.bench.data.Dataset;
import com.widgets.bench.load.ClosedLoop;
import com.widgets.bench.load.ClosedLoop.Measured;
import com.widgets.bench.load.FixedRate;
import com.widgets.bench.service.GraphQlClient;
import com.widgets.bench.service.ProcessCpu;
import com.widgets.bench.service.ServiceProcess;
import com.widgets.bench.service.Subscribers;
import com.widgets.bench.service.Subscribers.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Issue 15's fan-out goal: 1,000 graphql-ws subscribers each watching its own 5 widgets and 20 watching everything,
 * one WebSocket connection each (as 1,020 consoles would hold them), while 20 writers link and unlink pairs of those
 * widgets over HTTP at 200 mutations a second — 400 changes (history rows, one per widget end) a second. The writers'
 * latency is measured in alternated stretches without and with the subscribers ({@link #ROUNDS}).
 */
final class FanOut {

    private static final Logger log = LoggerFactory.getLogger(FanOut.class);
    static final int WATCHERS = 1_000, EACH = 5, EVERYTHING = 20;
    /** Widget {@code B(k)} port P is linked to {@code B(k + PAIRS)} port Q: each watched widget is in one pair. */
    static final int PAIRS = WATCHERS * EACH / 2;

    static final int WRITERS = 20;
    static final double MUTATIONS_PER_SECOND = 200;
    /** 20 writers × 10 a second × 25 s: each pair linked and unlinked once, so every widget changes twice. */
    static final Duration WRITING = Duration.ofSeconds(25);

    /**
     * Rounds of a stretch without subscribers and one with them (and a last stretch without): a single 25-second p99
     * is often one WAL flush of this machine's disk, landing in any stretch (bench/PROFILE.md), so the goal compares
     * the medians of several alternated stretches' p99s, as the throughput phase compares rounds.
     */
    static final int ROUNDS = Math.max(1, Integer.getInteger("bench.fanout.rounds", 3));

    /**
     * Writing before each measured stretch, reported on its own and not in the goal: opening (or closing) 1,020
     * connections in two seconds leaves the service's heap a burst to promote, and the young collections and the
     * concurrent cycle that follow (~150 ms of pauses in five seconds, bench/PROFILE.md) fall into the writing after
     * it. 10 s of 20 writers is an even count of calls each, so every pair it links it unlinks again.
     */
    static final Duration LEAD_IN = Duration.ofSeconds(10);

    private static final String LINK = """
            mutation($a: ID!, $b: ID!) {
              link(input: {a: {serialNumber: $a, port: P}, b: {serialNumber: $b, port: Q}}) { changed requestId }
            }""";
    private static final String UNLINK = """
            mutation($a: ID!) { unlink(input: {end: {serialNumber: $a, port: P}}) { changed requestId } }""";

    private FanOut() {}

    static void measure(Results results, LiveRun live) throws Exception {
        GraphQlClient client = live.client();
        ServiceProcess service = live.service();
        JdbcTemplate jdbc = live.jdbc();
        Map<String, Long> responses = new ConcurrentHashMap<>();

        List<List<String>> watching = new ArrayList<>();
        for (int i = 0; i < WATCHERS; i++) {
            List<String> serials = new ArrayList<>();
            for (int j = 0; j < EACH; j++) {
                serials.add(Dataset.reservedSerial(EACH * i + j));
            }
            watching.add(serials);
        }
        for (int i = 0; i < EVERYTHING; i++) {
            watching.add(null);
        }
        live.phase("fan-out: warm-up, the same subscribers and writers, not measured");
        Warm warm = warmUp(live, watching, responses);

        List<Stretch> without = new ArrayList<>();
        List<Stretch> with = new ArrayList<>();
        List<Stretch> leadWithout = new ArrayList<>();
        List<Stretch> leadWith = new ArrayList<>();
        List<Deliveries.Check> watchersByRound = new ArrayList<>();
        List<Deliveries.Check> allByRound = new ArrayList<>();
        List<String> waits = new ArrayList<>();
        Usage usageWithout = Usage.NONE, usageWith = Usage.NONE;
        double harnessWith = 0;
        for (int round = 1; round <= ROUNDS + 1; round++) {
            // the same settling as before a stretch with subscribers: the last ones have just closed
            double quietBefore = compilerQuiet(client);
            live.phase("fan-out: writers without subscribers, round " + round);
            Usage u0 = Usage.now(service, client);
            leadWithout.add(write(client, jdbc, responses, LEAD_IN));
            without.add(write(client, jdbc, responses, WRITING));
            usageWithout = usageWithout.plus(Usage.now(service, client).since(u0));
            if (round > ROUNDS) {
                waits.add(String.format(Locale.ROOT, "%.1f s", quietBefore));
                break;
            }
            live.phase("fan-out: opening " + watching.size() + " subscribers, round " + round);
            long t0 = System.nanoTime();
            try (Subscribers subscribers = Subscribers.open(service.baseUrl(), watching.size(), watching)) {
                live.awaitSubscribers(watching.size(), subscribers);
                double opened = (System.nanoTime() - t0) / 1e9;
                double quiet = compilerQuiet(client);
                waits.add(String.format(
                        Locale.ROOT, "%.1f s; opened in %.1f s, then %.1f s", quietBefore, opened, quiet));
                long after = Deliveries.lastId(jdbc);
                live.phase("fan-out: writers with " + watching.size() + " subscribers, round " + round);
                u0 = Usage.now(service, client);
                double harness0 = ProcessCpu.harnessSeconds() + subscribers.cpuSeconds();
                leadWith.add(write(client, jdbc, responses, LEAD_IN));
                with.add(write(client, jdbc, responses, WRITING));
                Deliveries history = Deliveries.since(jdbc, after);
                history.await(subscribers, Duration.ofSeconds(30));
                usageWith = usageWith.plus(Usage.now(service, client).since(u0));
                harnessWith += ProcessCpu.harnessSeconds() + subscribers.cpuSeconds() - harness0;
                List<Subscription> subscriptions = subscribers.subscriptions();
                watchersByRound.add(history.check(subscriptions.subList(0, WATCHERS), responses));
                allByRound.add(history.check(subscriptions.subList(WATCHERS, subscriptions.size()), responses));
            }
            live.awaitSubscribers(0, null);
        }
        Deliveries.Check watchers = Deliveries.Check.ofRounds(watchersByRound);
        Deliveries.Check all = Deliveries.Check.ofRounds(allByRound);

        double withoutP99 = medianP99(without), withP99 = medianP99(with);
        String rate = String.format(
                Locale.ROOT,
                "%d writers, %.0f link/unlink mutations/s over HTTP (%.0f changes/s)",
                WRITERS,
                MUTATIONS_PER_SECOND,
                2 * MUTATIONS_PER_SECOND);
        results.row(
                "fan-out",
                "warm-up: the " + watching.size()
                        + " subscribers below open, the writers write and the subscribers close, in rounds of "
                        + WRITING.toSeconds() + " s until one compiles under " + SETTLED_MILLIS
                        + " ms in the service (its JIT compiler had not yet met the delivery paths: measured first,"
                        + " they paid for their own compilation)",
                String.format(
                        Locale.ROOT,
                        "%d rounds, %.0f s; compilation in each round: %s ms%s",
                        warm.compiledMillis().size(),
                        warm.seconds(),
                        warm.compiledMillis().stream().map(String::valueOf).collect(Collectors.joining(", ")),
                        warm.settled() ? "" : " (limit reached before it settled)"),
                null,
                null);
        results.row(
                "fan-out",
                "measured: " + ROUNDS + " rounds of a stretch of writers without subscribers, then one with them, and"
                        + " a last stretch without, each stretch " + LEAD_IN.toSeconds() + " s (reported apart) and"
                        + " then " + WRITING.toSeconds() + " s; each stretch began once the"
                        + " service's compiler had finished with what the opening or closing of the subscribers just"
                        + " before it ran (seconds waited before the stretch without subscribers; for the one with"
                        + " them, how long the " + watching.size() + " took to open and register and the wait after)",
                String.join(" / ", waits),
                null,
                null);
        results.row(
                "fan-out",
                rate + ", the first " + LEAD_IN.toSeconds() + " s of each stretch (not in the goal below: what"
                        + " follows the opening or closing of the " + watching.size() + " connections), without"
                        + " subscribers / with them",
                leadWithout.stream().map(s -> s.writers().p99String()).collect(Collectors.joining(", ")) + " / "
                        + leadWith.stream().map(s -> s.writers().p99String()).collect(Collectors.joining(", ")),
                String.format(
                        Locale.ROOT,
                        "median of the p99s: %.2f ms with subscribers, %.2f ms without",
                        medianP99(leadWith),
                        medianP99(leadWithout)),
                String.format(Locale.ROOT, "p99 ×%.2f", medianP99(leadWith) / medianP99(leadWithout)));
        results.row(
                "fan-out",
                rate + ", no subscribers, in each of the " + without.size()
                        + " stretches after their first " + LEAD_IN.toSeconds()
                        + " s; latency from each call's scheduled start",
                without.stream().map(Stretch::toString).collect(Collectors.joining(" / ")),
                null,
                null);
        results.row(
                "fan-out",
                rate + ", with " + WATCHERS + " subscribers watching " + EACH + " widgets each and " + EVERYTHING
                        + " watching everything, one WebSocket each (" + watching.size()
                        + " connections), in each of the " + with.size() + " stretches after their first "
                        + LEAD_IN.toSeconds() + " s",
                with.stream().map(Stretch::toString).collect(Collectors.joining(" / ")),
                String.format(
                        Locale.ROOT,
                        "median of the stretches' p99s: %.2f ms with subscribers, %.2f ms without",
                        withP99,
                        withoutP99),
                String.format(Locale.ROOT, "p99 ×%.2f", withP99 / withoutP99));
        results.row(
                "fan-out",
                "delivery to the " + WATCHERS + " watching 5 widgets each: mutation's response → event received,"
                        + " all rounds",
                watchers.latency(),
                null,
                null);
        results.row(
                "fan-out",
                "delivery to the " + EVERYTHING + " watching everything: mutation's response → event received, all"
                        + " rounds",
                all.latency(),
                null,
                null);
        results.row(
                "fan-out",
                "the service's garbage-collection pauses while the writers wrote (young and full collections, from"
                        + " `jvm.gc.pause`; G1's remark and cleanup pauses are not in it), their first "
                        + LEAD_IN.toSeconds() + " s included: all stretches without subscribers / all with them",
                String.format(
                        Locale.ROOT,
                        "%.0f pauses, %.0f ms / %.0f pauses, %.0f ms",
                        usageWithout.gc().count(),
                        usageWithout.gc().seconds() * 1000,
                        usageWith.gc().count(),
                        usageWith.gc().seconds() * 1000),
                null,
                null);
        results.row(
                "fan-out",
                "every change, checked against the history (the round with the fewest complete subscribers; events"
                        + " summed over the rounds)",
                watchers.counts(),
                null,
                null);
        results.row(
                "fan-out",
                "every change, checked against the history (everything; as above)",
                all.counts(),
                null,
                null);
        long delivered = watchers.received() + all.received();
        double cpuWithout = usageWithout.serviceCpu() * with.size() / without.size();
        results.row(
                "fan-out",
                "CPU while writing (" + LEAD_IN.plus(WRITING).toSeconds() + " s a stretch, its first "
                        + LEAD_IN.toSeconds() + " s included, with subscribers until the last event"
                        + " arrived), over the " + with.size() + " rounds: the service without → with subscribers"
                        + " (without: the stretches' mean × " + with.size() + "); the harness (writers, and the"
                        + " subscribers' process) with them",
                String.format(
                        Locale.ROOT,
                        "service %.1f s → %.1f s: %.0f µs per delivered event (of which JIT compilation %.2f s →"
                                + " %.2f s); harness %.1f s",
                        cpuWithout,
                        usageWith.serviceCpu(),
                        1e6 * (usageWith.serviceCpu() - cpuWithout) / Math.max(1, delivered),
                        usageWithout.jitMillis() * with.size() / without.size() / 1000,
                        usageWith.jitMillis() / 1000,
                        harnessWith),
                null,
                null);
        double worst = Math.max(watchers.p99Millis(), all.p99Millis());
        results.goal(
                "fan-out: every subscriber receives every change it asked for, in every round",
                (watchers.complete() + all.complete()) + " of " + watching.size() + " in the round with the fewest",
                watching.size(),
                watchers.complete() + all.complete(),
                true);
        results.goal(
                "fan-out: delivery p99 ≤ 250 ms",
                String.format(
                        Locale.ROOT,
                        "%.1f ms (5-widget watchers %.1f, everything %.1f)",
                        worst,
                        watchers.p99Millis(),
                        all.p99Millis()),
                250,
                worst,
                false);
        results.goal(
                "fan-out: writers' p99 ≤ 1.5 × their p99 without subscribers (medians of the stretches' p99s)",
                String.format(
                        Locale.ROOT,
                        "%.2f ms vs %.2f ms (%d stretches with, %d without)",
                        withP99,
                        withoutP99,
                        with.size(),
                        without.size()),
                1.5 * withoutP99,
                withP99,
                false);
        log.info("Fan-out: {}; {}", watchers.counts(), all.latency());
    }

    /** The median of the stretches' p99s, in milliseconds (the mean of the middle two for an even count). */
    private static double medianP99(List<Stretch> stretches) {
        double[] p99 = stretches.stream()
                .mapToDouble(s -> s.writers().p99Millis())
                .sorted()
                .toArray();
        int n = p99.length;
        return n % 2 == 1 ? p99[n / 2] : (p99[n / 2 - 1] + p99[n / 2]) / 2;
    }

    /** What the service spent over a stretch: CPU seconds, JIT compilation and garbage-collection pauses. */
    private record Usage(double serviceCpu, double jitMillis, GraphQlClient.Pauses gc) {
        static final Usage NONE = new Usage(0, 0, new GraphQlClient.Pauses(0, 0));

        static Usage now(ServiceProcess service, GraphQlClient client) throws Exception {
            return new Usage(service.cpuSeconds(), client.compilationMillis(), client.gcPauses());
        }

        Usage since(Usage earlier) {
            return new Usage(serviceCpu - earlier.serviceCpu, jitMillis - earlier.jitMillis, gc.since(earlier.gc));
        }

        Usage plus(Usage other) {
            return new Usage(serviceCpu + other.serviceCpu, jitMillis + other.jitMillis, gc.plus(other.gc));
        }
    }

    /** A warm-up round with less compilation than this counts as settled, as in {@link Bench#warmUp}. */
    private static final long SETTLED_MILLIS = 250;

    private static final Duration WARM_UP_LIMIT = Duration.ofMinutes(2);

    /** What the fan-out's warm-up took. */
    private record Warm(List<Long> compiledMillis, double seconds, boolean settled) {}

    /**
     * The measured sequence once, unmeasured, until the service's compiler settles: the delivery paths for 1,020
     * subscribers (the sender threads of a thousand sessions, selections shared by many, frames batched) are code the
     * throughput phase's one listener never ran, and a first pass spent seconds of the two cores compiling them while
     * the writers' latency was being measured (bench/PROFILE.md).
     */
    private static Warm warmUp(LiveRun live, List<List<String>> watching, Map<String, Long> responses)
            throws Exception {
        GraphQlClient client = live.client();
        long t0 = System.nanoTime();
        List<Long> compiled = new ArrayList<>();
        boolean settled = false;
        while (!settled && System.nanoTime() - t0 < WARM_UP_LIMIT.toNanos()) {
            // each round opens and closes them too: the service compiles what a thousand handshakes run as well
            double jit0 = client.compilationMillis();
            try (Subscribers subscribers = Subscribers.open(live.service().baseUrl(), watching.size(), watching)) {
                live.awaitSubscribers(watching.size(), subscribers);
                FixedRate.run(WRITERS, MUTATIONS_PER_SECOND, WRITING, true, writer(client, responses));
            }
            live.awaitSubscribers(0, null);
            long round = Math.round(client.compilationMillis() - jit0);
            compiled.add(round);
            log.info("Fan-out warm-up: {} ms of JIT compilation in the service in the last round", round);
            settled = round < SETTLED_MILLIS;
        }
        return new Warm(compiled, (System.nanoTime() - t0) / 1e9, settled);
    }

    /**
     * Waits (at most 30 s) until the service's compiler spends under 50 ms in a second: a thousand handshakes in a few
     * seconds leave it a queue of methods to compile, which it otherwise worked through while the writers were
     * measured (2 s of compilation on two cores, after a warm-up that had settled). Returns the seconds waited.
     */
    private static double compilerQuiet(GraphQlClient client) throws Exception {
        long t0 = System.nanoTime();
        double before = client.compilationMillis();
        while (System.nanoTime() - t0 < Duration.ofSeconds(30).toNanos()) {
            Thread.sleep(1000);
            double now = client.compilationMillis();
            if (now - before < 50) {
                break;
            }
            before = now;
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** A stretch of the writers, and the moments they queued on a WAL flush while it ran. */
    private record Stretch(Measured writers, WalFlushes.Summary wal) {
        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "%.0f ops/s, p50 %.2f ms, p99 %.2f ms%s (%s)",
                    writers.opsPerSecond(),
                    writers.p50Millis(),
                    writers.p99Millis(),
                    writers.errors() == 0 ? "" : ", " + writers.errors() + " errors",
                    wal);
        }
    }

    /** The writers for {@code time} at the fixed rate, with the WAL waits sampled beside them. */
    private static Stretch write(GraphQlClient client, JdbcTemplate jdbc, Map<String, Long> responses, Duration time)
            throws Exception {
        try (WalFlushes wal = WalFlushes.start(jdbc.getDataSource())) {
            Measured writers = FixedRate.run(WRITERS, MUTATIONS_PER_SECOND, time, true, writer(client, responses));
            wal.close();
            return new Stretch(writers, wal.summary());
        }
    }

    /** Worker {@code w} links pair {@code w + WRITERS·j} on its even calls and unlinks it on the next. */
    private static ClosedLoop.Op writer(GraphQlClient client, Map<String, Long> responses) {
        return (worker, i) -> {
            int k = worker + WRITERS * (int) ((i / 2) % (PAIRS / WRITERS));
            boolean link = i % 2 == 0;
            JsonNode r = link
                    ? client.execute(
                            LINK, Map.of("a", Dataset.reservedSerial(k), "b", Dataset.reservedSerial(k + PAIRS)))
                    : client.execute(UNLINK, Map.of("a", Dataset.reservedSerial(k)));
            long answered = System.nanoTime();
            if (r.has("errors")) {
                return false;
            }
            JsonNode payload = r.get("data").get(link ? "link" : "unlink");
            responses.put(payload.get("requestId").asString(), answered);
            return payload.get("changed").asBoolean();
        };
    }
}
