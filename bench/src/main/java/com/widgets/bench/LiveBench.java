package com.widgets.bench;

import com.widgets.bench.data.Dataset;
import com.widgets.bench.load.ClosedLoop;
import com.widgets.bench.load.ClosedLoop.Measured;
import com.widgets.bench.load.FixedRate;
import com.widgets.bench.service.GraphQlClient;
import com.widgets.bench.service.ProcessCpu;
import com.widgets.bench.service.ServiceProcess;
import com.widgets.bench.service.Subscribers;
import com.widgets.db.WiringStore;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * {@code bench/run live}: the goals issue 15 sets for live updates, on the embedded database with the service at
 * {@code -Xmx512m} — fan-out to 1,020 subscribers under writes ({@link FanOut}), mutation throughput with a subscriber
 * listening against nobody listening and the raw JDBC bound, and 10,000 idle subscriptions. Writes its own section of
 * {@code bench/RESULTS.md}.
 */
final class LiveBench {

    private static final Logger log = LoggerFactory.getLogger(LiveBench.class);
    static final String KEY = "live";
    static final String MARKER = "<!-- bench/run live section: live (bench/run live replaces this section only) -->";
    /** W widgets: the idle subscriptions watch one each; B widgets: the fan-out's and the mutations' pairs. */
    private static final int WIDGETS = 20_000, RESERVED = 2 * FanOut.PAIRS;

    private static final int CONCURRENCY = 32;
    private static final Duration WARM = Duration.ofSeconds(3), POINT = Duration.ofSeconds(8);
    private static final int IDLE = 10_000, IDLE_CONNECTIONS = 100;
    private static final double QUERIES_PER_SECOND = 200;
    private static final Duration QUERYING = Duration.ofSeconds(20);

    private LiveBench() {}

    /** What {@code bench/run live} runs; {@code query} runs only when named (it has goals of its own, issue 14's). */
    private static final Set<String> ALL = Set.of("throughput", "fanout", "idle");

    private static final Set<String> NAMED = Set.of("throughput", "fanout", "idle", "query");

    /**
     * The widget query's concurrency in the {@code query} phase: the one issue 14's query goals name, 8 ({@code
     * -Dbench.live.readers} sets another, e.g. the full run's 32).
     */
    private static final int READERS = Integer.getInteger("bench.live.readers", 8);

    /**
     * Rounds of the listener's comparison, each nobody listening and one listener for {@link #POINT}: single rounds of
     * the same code on one host ranged from 0.63 to 1.19 of each other and whole runs of four from 0.77 to 0.94
     * (bench/PROFILE.md), so eight ({@code -Dbench.live.rounds} sets another number).
     */
    private static final int ROUNDS = Integer.getInteger("bench.live.rounds", 8);
    /** At most this many pairs of unmeasured stretches before the throughput rounds. */
    private static final int WARM_PAIRS = 6;

    /**
     * Subscribers of every change in the listening rounds ({@code -Dbench.live.listeners}), each on its own connection:
     * 1 for the goal's figure; more, with more rounds, to hunt a rare loss — all of them missing the same changes
     * points at the feed, one alone at its own delivery (bench/PROFILE.md, 2026-12-05 second session).
     */
    private static final int LISTENERS = Integer.getInteger("bench.live.listeners", 1);

    static void run(Path jar, Path work, int pool, Path out, long t0) throws Exception {
        // -Dbench.live.phases=fanout (say) runs only those phases, e.g. under a profiler
        Set<String> phases = Set.of(
                System.getProperty("bench.live.phases", String.join(",", ALL)).split(","));
        if (!NAMED.containsAll(phases)) {
            throw new IllegalArgumentException("bench.live.phases are among " + NAMED + ", not " + phases);
        }
        HostProbe host = HostProbe.measure();
        Dataset.Output files = Dataset.generate(work.resolve("data-live"), WIDGETS, RESERVED, 42);
        String started = ServiceProcess.shown(jar, Bench.SERVICE_HEAP);
        Results results = new Results("live", "bench/run live", started, pool);
        Path pg = work.resolve("pg-live");
        Bench.deleteTree(pg);
        try (ServiceProcess service =
                        ServiceProcess.embedded(jar, pg, work.resolve("service-live.log"), pool, Bench.SERVICE_HEAP);
                HikariDataSource db = Bench.dataSource(service.jdbcUrl(), pool);
                GraphQlClient client = new GraphQlClient(service.baseUrl())) {
            JdbcTemplate jdbc = new JdbcTemplate(db);
            results.database("PostgreSQL " + jdbc.queryForObject("SHOW server_version", String.class)
                    + " (embedded, fsync on, synchronous_commit on)");
            LiveRun live = new LiveRun(service, client, jdbc, work);
            Bench.runJob(client, files.widgets());
            Bench.runJob(client, files.links());
            WiringStore store = new WiringStore(jdbc, new DataSourceTransactionManager(db));
            live.phase("warm-up, one subscriber listening to every change");
            try (Subscribers one = Subscribers.open(service.baseUrl(), 1, everyChange(1))) {
                // as long as it takes the JIT compiler to settle (about two minutes of load here), at most 3 minutes:
                // figures taken while C2 still compiles the GraphQL and delivery paths describe the compiler
                Bench.warmUp(results, client, store, WIDGETS, Duration.ofMinutes(3));
            }
            live.awaitSubscribers(0, null);
            if (phases.contains("throughput")) {
                throughput(results, live, store);
            }
            if (phases.contains("fanout")) {
                FanOut.measure(results, live);
            }
            if (phases.contains("idle")) {
                idle(results, live);
            }
            if (phases.contains("query")) {
                query(results, live);
            }
            results.note("load average (1, 5, 15 min) as each phase started: " + String.join("; ", live.loads()));
        }
        results.note(host.note(HostProbe.measure()));
        results.note(Bench.wallClock(t0));
        if (!phases.equals(ALL)) {
            // a partial run, for profiling one phase: its report goes aside, the committed section stays whole
            Path aside = work.resolve("RESULTS-live-partial.md");
            results.writeSection(aside, KEY, MARKER, "Live updates (`bench/run live`), phases " + phases, intro());
            log.info("Wrote {} (phases {})", aside, phases);
            return;
        }
        results.writeSection(out, KEY, MARKER, "Live updates (`bench/run live`)", intro());
        log.info("Wrote the live section of {}", out);
    }

    private static final String INTRO = """
            The goals of issue 15, measured on the embedded database with the service at `%s`, on 20,000 widgets \
            and 5,000 more that the writers link and unlink. A *change* is one history row, which is one \
            `wiringChanged` event: a link or unlink changes two widgets, so 200 mutations a second are 400 changes a \
            second. Subscribers use Spring's `WebSocketGraphQlClient` (graphql-transport-ws) over Reactor Netty, in a \
            JVM of their own (as consoles elsewhere would be: their garbage collections do not stall the writers being \
            measured)%s, signed in with the admin token in `connection_init`, and select `id at serialNumber type port peer { serialNumber \
            port } origin { requestId } cursor`; each event is matched to the mutation that made it by its request id, \
            and its delivery time runs from the writer reading that mutation's response to the subscriber receiving \
            the event (same machine, one monotonic clock).""";

    private static String intro() {
        return INTRO.formatted(
                ServiceProcess.heapShown(Bench.SERVICE_HEAP),
                Subscribers.lowPriority()
                        ? " at the lowest scheduling priority (`nice -n 19`: their decoding takes only the CPU the"
                                + " service and the writers leave)"
                        : " at normal priority");
    }

    /** What {@code subscribers} subscriptions of every change watch: null each, for all widgets. */
    private static List<List<String>> everyChange(int subscribers) {
        return Collections.nCopies(subscribers, null);
    }

    /**
     * Closed-loop link/unlink at concurrency 32 with nobody listening and with one subscriber listening to every
     * change, {@link #ROUNDS} times each, alternating which comes first, after unmeasured pairs of such stretches until
     * the service's compiler settles; then the store's same transactions over JDBC.
     */
    private static void throughput(Results results, LiveRun live, WiringStore store) throws Exception {
        List<Measured> off = new ArrayList<>(), on = new ArrayList<>();
        List<Deliveries.Check> heard = new ArrayList<>();
        Spent offCpu = new Spent(), onCpu = new Spent();
        // Pairs of stretches as the rounds run them, a listener then nobody, not measured, until a pair compiles for
        // under 250 ms: the service's delivery path (encoding, the session's sends) is compiled by then, and what the
        // listener's coming and going recompiles. Cold, at this phase's write rate, the first listener fell over 1,024
        // changes behind and was ended in two of three runs (PROFILE.md, 2026-12-05, eighth session); after one such
        // stretch only, the compiler still took 5-20 % of the service's CPU in the measured rounds (2026-12-06).
        long warm0 = System.nanoTime();
        Bench.Settled settled = Bench.untilCompilerSettles(live.client(), WARM_PAIRS, "Warm-up pair", () -> {
            live.phase("mutations, " + LISTENERS + " subscriber(s) listening, then nobody, to warm the rounds' paths"
                    + " (not measured)");
            try (Subscribers warming = Subscribers.open(live.service().baseUrl(), LISTENERS, everyChange(LISTENERS))) {
                live.awaitSubscribers(LISTENERS, warming);
                apiMutations(live, () -> {});
            }
            live.awaitSubscribers(0, null);
            apiMutations(live, () -> {});
        });
        results.add(
                "throughput",
                "before the rounds: pairs of unmeasured stretches, a listener then nobody, until a pair had under "
                        + Bench.SETTLED_COMPILE_MILLIS + " ms of JIT compilation in the service (at most " + WARM_PAIRS
                        + "); "
                        + settled.text("pair"),
                (System.nanoTime() - warm0) / 1e9,
                "s",
                null,
                null);
        double roundsCompiled = live.client().compilationMillis();
        for (int round = 1; round <= ROUNDS; round++) {
            // nobody first in odd rounds, the listener first in even ones: a drift over the phase (the history
            // growing, the host) weighs on both sides alike
            if (round % 2 == 1) {
                live.phase("mutations, nobody listening, round " + round);
                off.add(offCpu.measure(live.service(), measuring -> apiMutations(live, measuring)));
            }
            live.phase("mutations, " + LISTENERS + " subscriber(s) listening, round " + round);
            try (Subscribers listening =
                    Subscribers.open(live.service().baseUrl(), LISTENERS, everyChange(LISTENERS))) {
                live.awaitSubscribers(LISTENERS, listening);
                long after = Deliveries.lastId(live.jdbc());
                on.add(onCpu.measure(live.service(), measuring -> apiMutations(live, measuring)));
                Deliveries history = Deliveries.since(live.jdbc(), after);
                history.await(listening, Duration.ofSeconds(30));
                heard.add(history.check(listening.subscriptions(), Map.of()));
            }
            live.awaitSubscribers(0, null);
            if (round % 2 == 0) {
                live.phase("mutations, nobody listening, round " + round);
                off.add(offCpu.measure(live.service(), measuring -> apiMutations(live, measuring)));
            }
        }
        roundsCompiled = live.client().compilationMillis() - roundsCompiled;
        live.phase("mutations over JDBC");
        Measured jdbc = ClosedLoop.run(CONCURRENCY, WARM, POINT, true, Bench.jdbcMutation(store));
        Measured nobody = merge(off), listening = merge(on);
        results.latency(
                "throughput",
                "GraphQL link/unlink mutations, concurrency 32, nobody listening",
                nobody,
                jdbc,
                "the store's same transactions over JDBC");
        results.row(
                "throughput",
                "GraphQL link/unlink mutations, concurrency 32, one subscriber listening to every change",
                String.format(
                        Locale.ROOT,
                        "%,.0f ops/s, p50 %.2f ms, p99 %.2f ms (rounds: %s)",
                        listening.opsPerSecond(),
                        listening.p50Millis(),
                        listening.p99Millis(),
                        rounds(on, off)),
                String.format(
                        Locale.ROOT,
                        "%,.0f ops/s, p99 %.2f ms (nobody listening, the row above)",
                        nobody.opsPerSecond(),
                        nobody.p99Millis()),
                String.format(Locale.ROOT, "%.0f%%", 100 * listening.opsPerSecond() / nobody.opsPerSecond()));
        results.row(
                "throughput",
                "CPU a mutation cost each process in the measured stretches above, one subscriber listening (the"
                        + " subscribers' process is the listener's client; the harness drives the mutations)",
                onCpu.text()
                        + String.format(
                                Locale.ROOT,
                                "; the service's JIT compiler ran %,.0f ms over all %d rounds",
                                roundsCompiled,
                                ROUNDS),
                offCpu.text() + " (nobody listening)",
                null);
        log.info("CPU a mutation: nobody listening {}; one subscriber listening {}", offCpu.text(), onCpu.text());
        for (int i = 0; i < heard.size(); i++) {
            Deliveries.Check c = heard.get(i);
            results.row(
                    "throughput",
                    "the listener, round " + (i + 1) + ", while mutations ran at "
                            + fmt(on.get(i).opsPerSecond()) + "/s (twice as many changes)",
                    c.counts() + String.format(Locale.ROOT, "; it received %,.0f events/s", c.receivedPerSecond()),
                    null,
                    null);
        }
        long kept =
                heard.stream().filter(c -> c.complete() == c.subscriptions()).count();
        results.goal(
                "the listener above receives every change (is not ended as too slow), each round",
                kept + " of " + heard.size() + " rounds",
                heard.size(),
                kept,
                true);
        double ratio = listening.opsPerSecond() / nobody.opsPerSecond();
        results.goal(
                "mutations/s with a subscriber listening ≥ 0.9 × with nobody listening (concurrency 32)",
                String.format(Locale.ROOT, "%.2f ×", ratio),
                0.9,
                ratio,
                true);
    }

    /**
     * The {@code widget} query at {@link #READERS} clients, {@link #ROUNDS} stretches, each followed by its SQL bound
     * (the same read as one join, a connection per client) so a drift of the host weighs on both; and the CPU a query
     * cost each process. A quicker look at issue 14's query goals than {@code bench/run quick}, for profiling; on
     * 20,000 widgets, all of them in shared buffers as in the quick and full runs.
     */
    private static void query(Results results, LiveRun live) throws Exception {
        List<Measured> api = new ArrayList<>(), sql = new ArrayList<>();
        Spent spent = new Spent(), boundSpent = new Spent();
        for (int round = 1; round <= ROUNDS; round++) {
            live.phase("widget queries, concurrency " + READERS + ", round " + round);
            api.add(spent.measure(
                    live.service(),
                    measuring -> ClosedLoop.run(
                            READERS, WARM, POINT, false, Bench.apiQuery(live.client(), WIDGETS, READERS), measuring)));
            live.phase("the SQL bound, round " + round);
            try (SqlBounds bound = SqlBounds.widget(live.service().jdbcUrl(), READERS, WIDGETS)) {
                sql.add(boundSpent.measure(
                        live.service(), measuring -> ClosedLoop.run(READERS, WARM, POINT, false, bound, measuring)));
            }
        }
        Measured service = merge(api), bound = merge(sql);
        results.latency(
                "query",
                "GraphQL widget(serialNumber) with ports and peers, " + WIDGETS + " widgets, concurrency " + READERS
                        + " (rounds: " + rounds(api, sql) + ")",
                service,
                bound,
                "the same read as one SQL join, a connection per client");
        results.row(
                "query",
                "CPU a query cost each process in the measured stretches above (the harness drives the queries and"
                        + " runs the SQL bound's JDBC clients)",
                spent.text(),
                boundSpent.text(),
                null);
        log.info("CPU a query: {}; the SQL bound's: {}", spent.text(), boundSpent.text());
        results.ratioGoal(
                "`widget` query ≥ 0.25 of the SQL bound at concurrency " + READERS,
                service.opsPerSecond(),
                bound.opsPerSecond(),
                "ops/s",
                0.25);
        results.goal(
                "`widget` query p99 ≤ 5 ms at concurrency " + READERS,
                String.format(
                        Locale.ROOT,
                        "%.2f ms (the SQL bound's own p99: %.2f ms)",
                        service.p99Millis(),
                        bound.p99Millis()),
                5,
                service.p99Millis(),
                false);
    }

    private static Measured apiMutations(LiveRun live, Runnable measuring) throws Exception {
        return ClosedLoop.run(CONCURRENCY, WARM, POINT, true, Bench.apiMutation(live.client()), measuring);
    }

    /**
     * The CPU time each process on the machine spent in one side's measured stretches (after each warm-up), and the
     * operations made meanwhile: what one cost the service, its database, the subscribers' process and the
     * harness, and how busy the cores were. On two shared cores a listener that costs the service little can still
     * cost throughput, by what it costs the others.
     */
    private static final class Spent {
        private double service, database, subscribers, harness;
        private long busyTicks, allTicks, ops;

        private record Reading(
                double service, double database, double subscribers, double harness, MachineCpu machine) {
            static Reading now(ServiceProcess service) {
                return new Reading(
                        service.cpuSeconds(),
                        service.databaseCpuSeconds(),
                        Subscribers.processCpuSeconds(),
                        ProcessCpu.harnessSeconds(),
                        MachineCpu.now());
            }
        }

        interface Run {
            Measured apply(Runnable measuring) throws Exception;
        }

        /** Runs {@code run}, reading every process's CPU time as its measurement starts and as it ends. */
        Measured measure(ServiceProcess process, Run run) throws Exception {
            Reading[] start = new Reading[1];
            Measured m = run.apply(() -> start[0] = Reading.now(process));
            Reading end = Reading.now(process);
            service += end.service - start[0].service;
            database += end.database - start[0].database;
            subscribers += end.subscribers - start[0].subscribers;
            harness += end.harness - start[0].harness;
            if (start[0].machine != null && end.machine != null) {
                busyTicks += end.machine.busyTicks() - start[0].machine.busyTicks();
                allTicks += end.machine.allTicks() - start[0].machine.allTicks();
            }
            ops += m.ops();
            return m;
        }

        /** Like {@code "service 380 µs, database 520 µs, subscribers' process 0 µs, harness 150 µs; cores 90 % busy"}. */
        String text() {
            String busy = allTicks > 0
                    ? String.format(Locale.ROOT, "; cores %.0f %% busy", 100.0 * busyTicks / allTicks)
                    : "";
            return String.format(
                            Locale.ROOT,
                            "service %s, database %s, subscribers' process %s, harness %s",
                            micros(service),
                            micros(database),
                            micros(subscribers),
                            micros(harness))
                    + busy;
        }

        private String micros(double seconds) {
            return Double.isNaN(seconds) || ops == 0
                    ? "unknown"
                    : String.format(Locale.ROOT, "%,.0f µs", seconds * 1e6 / ops);
        }
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String rounds(List<Measured> on, List<Measured> off) {
        List<String> each = new ArrayList<>();
        for (int i = 0; i < on.size(); i++) {
            each.add(String.format(
                    Locale.ROOT,
                    "%,.0f vs %,.0f",
                    on.get(i).opsPerSecond(),
                    off.get(i).opsPerSecond()));
        }
        return String.join(", ", each);
    }

    private static Measured merge(List<Measured> runs) {
        Histogram all = new Histogram(60_000_000L, 3);
        long ops = 0, errors = 0;
        double seconds = 0;
        for (Measured m : runs) {
            all.add(m.latencyMicros());
            ops += m.ops();
            errors += m.errors();
            seconds += m.seconds();
        }
        return new Measured(runs.get(0).concurrency(), ops, errors, seconds, all);
    }

    /**
     * 10,000 subscriptions, each watching one widget that does not change, over 100 connections (the per-connection
     * limit is 100): the widget query's latency at a fixed rate and the heap after a full GC, without and with them.
     */
    private static void idle(Results results, LiveRun live) throws Exception {
        GraphQlClient client = live.client();
        ServiceProcess service = live.service();
        live.phase("idle: queries without subscriptions");
        Measured before = FixedRate.run(4, QUERIES_PER_SECOND, QUERYING, false, Bench.apiQuery(client, WIDGETS, 4));
        service.collectGarbage();
        double heapWithout = client.heapUsed() / 1048576.0;
        service.classHistogram(live.work().resolve("live-heap-without-subscriptions.txt"));
        List<List<String>> watching = new ArrayList<>();
        for (int i = 0; i < IDLE; i++) {
            watching.add(List.of(String.format("W%08d", i)));
        }
        live.phase("idle: opening " + IDLE + " subscriptions");
        long t0 = System.nanoTime();
        Measured with;
        double heapWith;
        double opened;
        try (Subscribers idle = Subscribers.open(service.baseUrl(), IDLE_CONNECTIONS, watching)) {
            live.awaitSubscribers(IDLE, idle);
            opened = (System.nanoTime() - t0) / 1e9;
            live.phase("idle: queries with " + IDLE + " subscriptions");
            with = FixedRate.run(4, QUERIES_PER_SECOND, QUERYING, false, Bench.apiQuery(client, WIDGETS, 4));
            service.collectGarbage();
            heapWith = client.heapUsed() / 1048576.0;
            service.classHistogram(live.work().resolve("live-heap-with-subscriptions.txt"));
            Subscribers.Status status = idle.status();
            if (status.errors() > 0) {
                throw new IllegalStateException("idle subscriptions ended: " + status.firstError());
            }
        }
        live.awaitSubscribers(0, null);
        live.phase("idle: queries without subscriptions, again");
        Measured after = FixedRate.run(4, QUERIES_PER_SECOND, QUERYING, false, Bench.apiQuery(client, WIDGETS, 4));
        Measured without = merge(List.of(before, after));
        String query = String.format(
                Locale.ROOT,
                "GraphQL widget(serialNumber) with ports and peers at %.0f/s (4 threads, latency from the scheduled"
                        + " start)",
                QUERIES_PER_SECOND);
        results.row(
                "idle",
                query + ", with " + IDLE + " idle subscriptions over " + IDLE_CONNECTIONS + " connections"
                        + String.format(Locale.ROOT, " (opened and registered in %.1f s)", opened),
                latency(with),
                latency(without) + " (no subscriptions, before and after: p99 "
                        + String.format(Locale.ROOT, "%.2f / %.2f ms)", before.p99Millis(), after.p99Millis()),
                String.format(Locale.ROOT, "p99 ×%.2f", with.p99Millis() / without.p99Millis()));
        results.row(
                "idle",
                "service heap after a full GC (`jcmd <pid> GC.run`, then `jvm.memory.used` area:heap), with " + IDLE
                        + " idle subscriptions (class histograms: `bench/work/live-heap-*-subscriptions.txt`)",
                String.format(
                        Locale.ROOT,
                        "%.0f MiB (%.1f KiB a subscription more than without)",
                        heapWith,
                        (heapWith - heapWithout) * 1024 / IDLE),
                String.format(Locale.ROOT, "%.0f MiB (no subscriptions)", heapWithout),
                null);
        double allowed = Math.max(1.2 * without.p99Millis(), without.p99Millis() + 1);
        results.goal(
                "idle: the HTTP API's p99 unchanged with " + IDLE
                        + " subscriptions (read as ≤ 1.2 × or + 1 ms, whichever is more)",
                String.format(Locale.ROOT, "%.2f ms vs %.2f ms", with.p99Millis(), without.p99Millis()),
                allowed,
                with.p99Millis(),
                false);
        results.goal(
                "idle: heap after GC ≤ 300 MB with " + IDLE + " subscriptions",
                String.format(Locale.ROOT, "%.0f MiB", heapWith),
                300e6 / 1048576.0,
                heapWith,
                false);
    }

    private static String latency(Measured m) {
        return String.format(
                Locale.ROOT,
                "%.0f ops/s, p50 %.2f ms, p99 %.2f ms%s",
                m.opsPerSecond(),
                m.p50Millis(),
                m.p99Millis(),
                m.errors() == 0 ? "" : ", " + m.errors() + " errors");
    }
}
