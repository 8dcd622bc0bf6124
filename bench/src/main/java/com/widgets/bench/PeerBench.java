package com.widgets.bench;

import com.widgets.bench.data.Dataset;
import com.widgets.bench.load.ClosedLoop;
import com.widgets.bench.load.ClosedLoop.Measured;
import com.widgets.bench.service.GraphQlClient;
import com.widgets.bench.service.PostGraphileProcess;
import com.widgets.bench.service.PostGraphileProcess.Release;
import com.widgets.bench.service.ProcessCpu;
import com.widgets.bench.service.ServiceProcess;
import com.widgets.bench.service.StackFloorProcess;
import com.widgets.bench.service.Subscribers;
import com.widgets.db.WiringStore;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import tools.jackson.databind.JsonNode;

/**
 * {@code bench/run peer}: this service and PostGraphile side by side on one embedded database, in one run, next to the
 * same SQL bounds as the full report. The issue that set the speed goals measured PostGraphile once, by hand; this
 * measures it again whenever it is run, on the machine at hand, so the two ratios compare. Both lines run by default,
 * 4.x (the one the issue measured) and 5 (the current one), each in its own Node processes, one under load at a time
 * ({@code -Dbench.peer.releases=4} or {@code =5} runs one).
 *
 * <p>PostGraphile gets the same writes as SQL functions in a schema of their own ({@code bench_peer}), which it exposes
 * as mutations: a link is the bound's two check-and-sets with their history rows, an unlink names one end and reads
 * its peer first, as the service's does. Its query is the widget by serial number with its ports, through the foreign
 * key from {@code port} to {@code widget}, as it builds it from the tables. The functions carry their GraphQL name as a
 * smart comment ({@code @name}), since 5 would otherwise prefix them with their schema's name.
 *
 * <p>Beside them, {@link StackFloor}: the service's own stack with nothing of the service's code, sent the service's
 * documents ({@code -Dbench.peer.floor=false} leaves it out). It shows how much of the distance to the SQL bounds is the
 * stack's, which no change to the service can win back, and how much the service's own.
 */
final class PeerBench {

    private static final Logger log = LoggerFactory.getLogger(PeerBench.class);

    static final String KEY = "peer";
    private static final String MARKER =
            "<!-- bench/run peer section: peer (bench/run peer replaces this section only) -->";

    /** The same writes as {@link SqlBounds}' link/unlink, as functions PostGraphile exposes as mutations. */
    private static final String FUNCTIONS = """
            CREATE SCHEMA IF NOT EXISTS bench_peer;
            CREATE OR REPLACE FUNCTION bench_peer.peer_link(a_serial text, a_port character, b_serial text,
                                                           b_port character) RETURNS boolean
            LANGUAGE plpgsql VOLATILE STRICT AS $$
            BEGIN
              WITH u AS (UPDATE public.port SET peer_serial = b_serial, peer_port = b_port, linked_at = now()
                          WHERE serial_number = a_serial AND port = a_port AND peer_serial IS NULL
                         RETURNING serial_number)
              INSERT INTO public.wiring_history (serial_number, event, port, peer_serial, peer_port, actor)
              SELECT serial_number, 'LINKED', a_port, b_serial, b_port, 'postgraphile' FROM u;
              IF NOT FOUND THEN RAISE EXCEPTION 'port % of % is not free', a_port, a_serial; END IF;
              WITH u AS (UPDATE public.port SET peer_serial = a_serial, peer_port = a_port, linked_at = now()
                          WHERE serial_number = b_serial AND port = b_port AND peer_serial IS NULL
                         RETURNING serial_number)
              INSERT INTO public.wiring_history (serial_number, event, port, peer_serial, peer_port, actor)
              SELECT serial_number, 'LINKED', b_port, a_serial, a_port, 'postgraphile' FROM u;
              IF NOT FOUND THEN RAISE EXCEPTION 'port % of % is not free', b_port, b_serial; END IF;
              RETURN true;
            END $$;
            CREATE OR REPLACE FUNCTION bench_peer.peer_unlink(a_serial text, a_port character) RETURNS boolean
            LANGUAGE plpgsql VOLATILE STRICT AS $$
            DECLARE
              b_serial text;
              b_port character;
            BEGIN
              SELECT peer_serial, peer_port INTO b_serial, b_port FROM public.port
               WHERE serial_number = a_serial AND port = a_port;
              IF b_serial IS NULL THEN RAISE EXCEPTION 'port % of % is not linked', a_port, a_serial; END IF;
              WITH u AS (UPDATE public.port SET peer_serial = NULL, peer_port = NULL, linked_at = NULL
                          WHERE serial_number = a_serial AND port = a_port
                            AND peer_serial = b_serial AND peer_port = b_port
                         RETURNING serial_number)
              INSERT INTO public.wiring_history (serial_number, event, port, peer_serial, peer_port, actor)
              SELECT serial_number, 'UNLINKED', a_port, b_serial, b_port, 'postgraphile' FROM u;
              IF NOT FOUND THEN RAISE EXCEPTION 'port % of % changed', a_port, a_serial; END IF;
              WITH u AS (UPDATE public.port SET peer_serial = NULL, peer_port = NULL, linked_at = NULL
                          WHERE serial_number = b_serial AND port = b_port
                            AND peer_serial = a_serial AND peer_port = a_port
                         RETURNING serial_number)
              INSERT INTO public.wiring_history (serial_number, event, port, peer_serial, peer_port, actor)
              SELECT serial_number, 'UNLINKED', b_port, a_serial, a_port, 'postgraphile' FROM u;
              IF NOT FOUND THEN RAISE EXCEPTION 'port % of % changed', b_port, b_serial; END IF;
              RETURN true;
            END $$;
            COMMENT ON FUNCTION bench_peer.peer_link(text, character, text, character) IS E'@name peer_link';
            COMMENT ON FUNCTION bench_peer.peer_unlink(text, character) IS E'@name peer_unlink';
            """;

    /** Its payload's result field: {@link Release#payloadField()}. */
    private static final String LINK = """
            mutation($a: String!, $b: String!) {
              peerLink(input: {aSerial: $a, aPort: "P", bSerial: $b, bPort: "Q"}) { %s }
            }""";

    private static final String UNLINK = """
            mutation($a: String!) { peerUnlink(input: {aSerial: $a, aPort: "P"}) { %s } }""";
    private static final String WIDGET = """
            query($s: String!) {
              widgetBySerialNumber(serialNumber: $s) {
                serialNumber name portsBySerialNumber { nodes { port linkedAt peerSerial peerPort } }
              }
            }""";

    private PeerBench() {}

    /** The run: load, warm both up, then each figure for the SQL bound, the service and PostGraphile in turn. */
    static void run(
            Path jar,
            Path work,
            int n,
            int pool,
            Duration warmUp,
            Duration point,
            Duration warmUpLimit,
            Dataset.Output files,
            Path out,
            String command,
            HostProbe host,
            long t0)
            throws Exception {
        int workers =
                Integer.getInteger("bench.peer.workers", Runtime.getRuntime().availableProcessors());
        int poolPerWorker = Math.max(1, pool / workers);
        int rounds = Integer.getInteger("bench.peer.rounds", 3);
        List<Release> releases = Release.parse(System.getProperty("bench.peer.releases", "4,5"));
        Results results = new Results("peer", command, ServiceProcess.shown(jar, Bench.SERVICE_HEAP), pool);
        Path pg = work.resolve("pg-peer");
        Bench.deleteTree(pg);
        try (ServiceProcess service =
                        ServiceProcess.embedded(jar, pg, work.resolve("service-peer.log"), pool, Bench.SERVICE_HEAP);
                HikariDataSource db = Bench.dataSource(service.jdbcUrl(), pool);
                GraphQlClient ours = new GraphQlClient(service.baseUrl())) {
            JdbcTemplate jdbc = new JdbcTemplate(db);
            results.database("PostgreSQL " + jdbc.queryForObject("SHOW server_version", String.class)
                    + " (embedded, fsync on, synchronous_commit on), the service's; PostGraphile connects to it too");
            Bench.Job widgets = Bench.runJob(ours, files.widgets());
            Bench.Job links = Bench.runJob(ours, files.links());
            results.note(String.format(
                    Locale.ROOT,
                    "data: %,d widgets and %,d links, loaded by the service's rewiring job",
                    widgets.read(),
                    links.read()));
            jdbc.execute(FUNCTIONS);
            SetBasedBound.settleWiring(db, false);
            String url = service.jdbcUrl();
            List<Peer> peers = new ArrayList<>();
            try {
                for (Release release : releases) {
                    PostGraphileProcess process = PostGraphileProcess.start(
                            work.resolve("postgraphile"),
                            release,
                            url,
                            "public,bench_peer",
                            workers,
                            poolPerWorker,
                            work.resolve("postgraphile-" + release.version() + "-peer.log"));
                    peers.add(new PostGraphile(process));
                    results.note(release.label() + " from npm, " + process.shape() + " with " + poolPerWorker
                            + " pooled connections each, on Node.js " + PostGraphileProcess.nodeVersion()
                            + " from npm, `NODE_ENV=production`"
                            + release.quietNote());
                    answersWithoutErrors(peers.get(peers.size() - 1), n);
                }
                if (Boolean.parseBoolean(System.getProperty("bench.peer.floor", "true"))) {
                    StackFloorProcess process =
                            StackFloorProcess.start(url, pool, Bench.SERVICE_HEAP, work.resolve("floor-peer.log"));
                    peers.add(new Floor(process));
                    results.note(Floor.LABEL + ": `com.widgets.bench.StackFloor` from the harness's jar, `java "
                            + ServiceProcess.heapShown(Bench.SERVICE_HEAP) + "`, HikariCP pool " + pool
                            + ", `"
                            + String.join(
                                    " ",
                                    Stream.concat(
                                                    StackFloorProcess.requestThreads().stream(),
                                                    StackFloorProcess.extraArguments().stream())
                                            .toList())
                            + "`"
                            + (StackFloorProcess.extraArguments().isEmpty()
                                    ? " (as many request threads as the service runs)"
                                    : "")
                            + ": Spring Boot, Spring MVC, Spring for GraphQL and graphql-java as"
                            + " the service has them, serving the service's schema and answering the service's own"
                            + " documents with the SQL bound's statements alone (PostGraphile's two functions for"
                            + " the mutations); no access check, metrics, live updates or rules of its own. The most"
                            + " any service on this stack could do here: what the service does below it is its own"
                            + " code's cost, what the floor does below the bound the stack's");
                    answersWithoutErrors(peers.get(peers.size() - 1), n);
                }
                results.note("PostGraphile runs on the service's database: its schema is built from the tables"
                        + " (`widgetBySerialNumber` with `portsBySerialNumber`) and two functions in `bench_peer`"
                        + " (`peerLink`, `peerUnlink`) doing the SQL bound's check-and-sets and history rows; only"
                        + " one server is under load at a time, the others idle");
                WiringStore store = new WiringStore(jdbc, new DataSourceTransactionManager(db));
                try (Subscribers listening =
                        Subscribers.open(service.baseUrl(), 1, Collections.singletonList((List<String>) null))) {
                    Bench.warmUp(results, ours, store, n, warmUpLimit);
                }
                for (Peer peer : peers) {
                    peer.warmUp(results, n, warmUp, point, warmUpLimit);
                }
                // after the general warm-up the figures' one-kind stretches still made C2 compile for minutes, and the
                // first measured round was the service's slowest in every run before this
                Bench.settleFigures(
                        results,
                        ours,
                        service.baseUrl(),
                        n,
                        warmUp,
                        point,
                        List.of(8, 32),
                        Bench.SETTLE_ROUNDS,
                        "this service: its figures below");
                DoubleSupplier serviceCpu = service::cpuSeconds;
                Figure mutations = new Figure(
                        "link/unlink",
                        32,
                        "GraphQL link/unlink, concurrency 32, one subscriber of every change listening",
                        peer -> peer.mutationWhat,
                        "the same check-and-sets and history rows as SQL, a connection per client",
                        "this service runs more `link`/`unlink` a second than %s at concurrency 32");
                Figure[] queries = {
                    queryFigure(8), queryFigure(32),
                };
                // Rounds, each the bound, the service and each PostGraphile in turn: the host's pace drifts by more
                // within minutes than the servers differ, so each figure is the median of its rounds.
                for (int round = 1; round <= rounds; round++) {
                    log.info("Round {} of {}", round, rounds);
                    try (SqlBounds sql = SqlBounds.linkUnlink(url, 32)) {
                        mutations.bounds.add(ClosedLoop.run(32, warmUp, point, true, sql));
                    }
                    try (Subscribers listening =
                            Subscribers.open(service.baseUrl(), 1, Collections.singletonList((List<String>) null))) {
                        mutations.ours.add(costed(
                                serviceCpu, () -> ClosedLoop.run(32, warmUp, point, true, Bench.apiMutation(ours))));
                    }
                    for (Peer peer : peers) {
                        mutations
                                .theirs(peer)
                                .add(costed(
                                        peer::cpuSeconds,
                                        () -> ClosedLoop.run(32, warmUp, point, true, peer.mutation())));
                    }
                    for (Figure query : queries) {
                        int c = query.concurrency;
                        try (SqlBounds sql = SqlBounds.widget(url, c, n)) {
                            query.bounds.add(ClosedLoop.run(c, warmUp, point, false, sql));
                        }
                        query.ours.add(costed(
                                serviceCpu, () -> ClosedLoop.run(c, warmUp, point, false, Bench.apiQuery(ours, n, c))));
                        for (Peer peer : peers) {
                            query.theirs(peer)
                                    .add(costed(
                                            peer::cpuSeconds,
                                            () -> ClosedLoop.run(c, warmUp, point, false, peer.query(n, c))));
                        }
                    }
                }
                mutations.report(results);
                for (Figure query : queries) {
                    query.report(results);
                }
            } finally {
                for (Peer peer : peers) {
                    peer.close();
                }
            }
        }
        results.note(host.note(HostProbe.measure()));
        results.note(Bench.wallClock(t0));
        results.writeSection(
                out,
                KEY,
                MARKER,
                "Side by side with PostGraphile (`bench/run peer`)",
                "This service and PostGraphile (4.x, the line issue 14 measured, and 5, its current rewrite), the"
                        + " GraphQL server that users of PostgreSQL would otherwise pick, on one embedded database in"
                        + " one run, each figure next to the same SQL bound as the full report: in alternated rounds"
                        + " of the bound, the service and each PostGraphile, each figure the median round (every"
                        + " round's rate is listed). The servers share the machine's cores with PostgreSQL and the"
                        + " load generator, so compare the ratios. The verdicts say whether this service did more of"
                        + " each than PostGraphile: its mutations do more work (a subscriber of every change"
                        + " listening; errors named per field), PostGraphile's fewer (no live updates). Beside them"
                        + " runs the stack's floor, a bare Spring for GraphQL app doing only the bound's SQL: the most"
                        + " any service on this project's stack could do here, so it gets no verdict, only the"
                        + " service's share of its rate.");
    }

    /**
     * A GraphQL server measured beside the service: a PostGraphile release, or the stack's floor; what the report says
     * of it is fixed at its start, how it is called and warmed up is its kind's.
     *
     * @param mutationWhat what its link/unlink figure runs, for the report
     * @param queryWhat what its query figure runs, for the report
     * @param rival whether the service is held to do more than it (a goal row), or it is a bound (a note)
     */
    private abstract static class Peer implements AutoCloseable {
        final String label, mutationWhat, queryWhat;
        final boolean rival;
        final GraphQlClient client;
        private final DoubleSupplier cpuSeconds;
        private final AutoCloseable process;

        Peer(
                String label,
                String mutationWhat,
                String queryWhat,
                boolean rival,
                String baseUrl,
                DoubleSupplier cpuSeconds,
                AutoCloseable process) {
            this.label = label;
            this.mutationWhat = mutationWhat;
            this.queryWhat = queryWhat;
            this.rival = rival;
            this.client = new GraphQlClient(baseUrl, false);
            this.cpuSeconds = cpuSeconds;
            this.process = process;
        }

        /** CPU time its processes have used so far, in seconds. */
        double cpuSeconds() {
            return cpuSeconds.getAsDouble();
        }

        /** The figure's link/unlink calls, the same pairs as {@link Bench#apiMutation}. */
        abstract ClosedLoop.Op mutation();

        /** The figure's widget query, for the same widgets as {@link Bench#apiQuery}. */
        abstract ClosedLoop.Op query(int n, int concurrency);

        /** Warmed up before the measurements, with a row saying how. */
        abstract void warmUp(Results results, int n, Duration warmUp, Duration point, Duration limit) throws Exception;

        @Override
        public void close() throws Exception {
            try (GraphQlClient c = client) {
                process.close();
            }
        }
    }

    /** One PostGraphile release running, and a client of it. */
    private static final class PostGraphile extends Peer {
        private final String link, unlink;

        PostGraphile(PostGraphileProcess process) {
            super(
                    process.release().label(),
                    "peerLink/peerUnlink, concurrency 32 (no live updates)",
                    "widgetBySerialNumber with portsBySerialNumber",
                    true,
                    process.baseUrl(),
                    process::cpuSeconds,
                    process);
            link = LINK.formatted(process.release().payloadField());
            unlink = UNLINK.formatted(process.release().payloadField());
        }

        /** A link on even calls, the unlink of the same pair on odd ones. */
        @Override
        ClosedLoop.Op mutation() {
            return (worker, i) -> {
                String[] pair = Bench.pair(worker, i);
                JsonNode r = i % 2 == 0
                        ? client.execute(link, Map.of("a", pair[0], "b", pair[1]))
                        : client.execute(unlink, Map.of("a", pair[0]));
                return !r.has("errors");
            };
        }

        @Override
        ClosedLoop.Op query(int n, int concurrency) {
            SplittableRandom[] random = Bench.randomPerWorker(concurrency);
            return (worker, i) -> {
                JsonNode r = client.execute(WIDGET, Map.of("s", Bench.widgetSerial(random[worker], n)));
                return !r.has("errors")
                        && r.path("data").path("widgetBySerialNumber").isObject();
            };
        }

        /**
         * Warmed up as the service is, though without watching a compiler: V8 compiles the hot paths within seconds. A
         * minute at 4 clients, then one at 32.
         */
        @Override
        void warmUp(Results results, int n, Duration warmUp, Duration point, Duration limit) throws Exception {
            long t0 = System.nanoTime();
            for (int clients : List.of(4, 32)) {
                for (int round = 0; round < 3; round++) {
                    ClosedLoop.run(clients, Duration.ZERO, Duration.ofSeconds(12), true, mutation());
                    ClosedLoop.run(clients, Duration.ZERO, Duration.ofSeconds(8), false, query(n, clients));
                }
            }
            results.add(
                    "warm-up",
                    label + ": mutations and queries at 4 then 32 clients before the measurements, a minute each",
                    (System.nanoTime() - t0) / 1e9,
                    "s",
                    null,
                    null);
        }
    }

    /** The stack's floor ({@link StackFloor}), sent the service's own documents. */
    private static final class Floor extends Peer {
        static final String LABEL = "the stack's floor";

        private final StackFloorProcess process;

        Floor(StackFloorProcess process) {
            super(
                    LABEL,
                    "the service's link/unlink documents, concurrency 32 (no live updates)",
                    "the service's widget(serialNumber) document",
                    false,
                    process.baseUrl(),
                    process::cpuSeconds,
                    process);
            this.process = process;
        }

        @Override
        ClosedLoop.Op mutation() {
            return Bench.apiMutation(client);
        }

        @Override
        ClosedLoop.Op query(int n, int concurrency) {
            return Bench.apiQuery(client, n, concurrency);
        }

        /**
         * A JVM, so warmed up as the service is: mixed rounds at 4 then 32 clients until its compilers settle, then
         * the figures' own calls one kind at a time until a round of them compiles under the same limit.
         */
        @Override
        void warmUp(Results results, int n, Duration warmUp, Duration point, Duration limit) throws Exception {
            long t0 = System.nanoTime();
            Duration round = Duration.ofSeconds(10);
            for (int clients : List.of(4, 32)) {
                Bench.untilCompilerSettles(
                        process::compilationMillis,
                        Integer.MAX_VALUE,
                        limit.minusNanos(System.nanoTime() - t0),
                        "Floor warm-up at " + clients + " clients, round",
                        () -> {
                            ClosedLoop.run(
                                    clients,
                                    Duration.ZERO,
                                    round.multipliedBy(6).dividedBy(10),
                                    true,
                                    mutation());
                            ClosedLoop.run(
                                    clients,
                                    Duration.ZERO,
                                    round.multipliedBy(4).dividedBy(10),
                                    false,
                                    query(n, clients));
                        });
            }
            Bench.Settled settled = Bench.untilCompilerSettles(
                    process::compilationMillis,
                    Bench.SETTLE_ROUNDS,
                    Duration.ofNanos(Long.MAX_VALUE),
                    "Floor settling round",
                    () -> {
                        ClosedLoop.run(32, warmUp, point, true, mutation());
                        for (int clients : List.of(8, 32)) {
                            ClosedLoop.run(clients, warmUp, point, false, query(n, clients));
                        }
                    });
            results.add(
                    "warm-up",
                    LABEL + ": mutations and queries at 4 then 32 clients until its JIT compilers settled at each,"
                            + " then its figures below as they are measured until a round of them had under "
                            + Bench.SETTLED_COMPILE_MILLIS + " ms of compilation: " + settled.text("round"),
                    (System.nanoTime() - t0) / 1e9,
                    "s",
                    null,
                    null);
        }
    }

    /** One call of each kind answered without errors, before anything is measured. */
    private static void answersWithoutErrors(Peer peer, int n) throws Exception {
        ClosedLoop.Op mutation = peer.mutation();
        // a link on even calls, the unlink of the same pair on odd ones
        if (!mutation.run(0, 0) || !mutation.run(0, 1) || !peer.query(n, 1).run(0, 0)) {
            throw new IllegalStateException(peer.label + " answered a link, its unlink or a read with errors;"
                    + " see its log under bench/work");
        }
    }

    private static Figure queryFigure(int concurrency) {
        return new Figure(
                "query",
                concurrency,
                "widget(serialNumber) with ports and peers, concurrency " + concurrency,
                peer -> peer.queryWhat + ", concurrency " + concurrency,
                "the same read as one SQL join, a connection per client",
                "this service answers more widget queries a second than %s at concurrency " + concurrency);
    }

    /**
     * One figure's rounds for the SQL bound, the service and each PostGraphile release, reported as the median round of
     * each; {@code goal} names the release where it has {@code %s}.
     */
    private static final class Figure {
        final String group, ourWhat, boundWhat, goal;
        final Function<Peer, String> theirWhat;
        final int concurrency;
        final List<Measured> bounds = new ArrayList<>();
        final List<Costed> ours = new ArrayList<>();
        final Map<Peer, List<Costed>> theirs = new LinkedHashMap<>();

        Figure(
                String group,
                int concurrency,
                String ourWhat,
                Function<Peer, String> theirWhat,
                String boundWhat,
                String goal) {
            this.group = group;
            this.concurrency = concurrency;
            this.ourWhat = ourWhat;
            this.theirWhat = theirWhat;
            this.boundWhat = boundWhat;
            this.goal = goal;
        }

        List<Costed> theirs(Peer peer) {
            return theirs.computeIfAbsent(peer, p -> new ArrayList<>());
        }

        void report(Results results) {
            Measured bound = median(bounds);
            String boundText = boundWhat + "; " + ofRounds(bounds.size()) + ": " + perRound(bounds);
            Costed mine = row(results, "this service: " + ourWhat, "the service", ours, bound, boundText);
            for (Map.Entry<Peer, List<Costed>> entry : theirs.entrySet()) {
                Peer peer = entry.getKey();
                String label = peer.label;
                Costed their =
                        row(results, label + ": " + theirWhat.apply(peer), label, entry.getValue(), bound, boundText);
                if (peer.rival) {
                    results.goal(
                            goal.formatted(label) + " (the medians, each over its SQL bound)",
                            ratios(mine.measured(), their.measured(), bound),
                            1,
                            mine.measured().opsPerSecond() / their.measured().opsPerSecond(),
                            true);
                } else {
                    results.note(String.format(
                            Locale.ROOT,
                            "The stack's floor, %s at concurrency %d: the floor reached %.2f of the SQL bound, the"
                                    + " service %.2f (%.0f %% of the floor's rate; p99 %.2f against the floor's %.2f ms)",
                            group,
                            concurrency,
                            their.measured().opsPerSecond() / bound.opsPerSecond(),
                            mine.measured().opsPerSecond() / bound.opsPerSecond(),
                            100
                                    * mine.measured().opsPerSecond()
                                    / their.measured().opsPerSecond(),
                            mine.measured().p99Millis(),
                            their.measured().p99Millis()));
                }
            }
        }

        /** The row of one server's median round, with its CPU and every round's rate; returns that round. */
        private Costed row(
                Results results, String what, String server, List<Costed> rounds, Measured bound, String boundText) {
            List<Measured> measured = rounds.stream().map(Costed::measured).toList();
            Measured middle = median(measured);
            Costed chosen = rounds.get(measured.indexOf(middle));
            results.latency(
                    group,
                    what + "; " + chosen.cpu(server) + "; " + ofRounds(rounds.size()) + ": " + perRound(measured),
                    middle,
                    bound,
                    boundText);
            return chosen;
        }

        private static String ofRounds(int rounds) {
            return rounds == 1 ? "one round" : "median of " + rounds + " rounds";
        }

        /** The round with the median rate (the lower middle one of an even number). */
        private static Measured median(List<Measured> rounds) {
            List<Measured> sorted = new ArrayList<>(rounds);
            sorted.sort(Comparator.comparingDouble(Measured::opsPerSecond));
            return sorted.get((sorted.size() - 1) / 2);
        }

        private static String perRound(List<Measured> rounds) {
            return String.join(
                            " / ",
                            rounds.stream()
                                    .map(m -> String.format(Locale.ROOT, "%,.0f", m.opsPerSecond()))
                                    .toList())
                    + " ops/s";
        }
    }

    private interface Measurement {
        Measured run() throws Exception;
    }

    /**
     * A measurement and the CPU spent on each of its operations, in µs: by the GraphQL server's processes, and by the
     * rest of the machine (its busy time from {@code /proc/stat} less the server's and this harness's; that is the
     * database, and the service's listening subscriber in its own process). The database's own processes are not
     * read: its backends that end (a pool's idle connections) take their CPU time with them.
     */
    private record Costed(Measured measured, double serverMicros, double restMicros) {
        String cpu(String server) {
            if (Double.isNaN(serverMicros)) {
                return "CPU not measured here";
            }
            String rest = Double.isNaN(restMicros)
                    ? ""
                    : String.format(
                            Locale.ROOT, ", the rest of the machine's (mostly the database) %.0f µs", restMicros);
            return String.format(Locale.ROOT, "%s's CPU an operation %.0f µs%s", server, serverMicros, rest);
        }
    }

    /** The CPU readings cover the warm-up too; divided by all operations at the measured rate, so per operation. */
    private static Costed costed(DoubleSupplier server, Measurement measurement) throws Exception {
        MachineCpu machine = MachineCpu.now();
        double h0 = ProcessCpu.harnessSeconds();
        double s0 = server.getAsDouble();
        long t0 = System.nanoTime();
        Measured m = measurement.run();
        double seconds = (System.nanoTime() - t0) / 1e9;
        double serverSeconds = server.getAsDouble() - s0;
        double harnessSeconds = ProcessCpu.harnessSeconds() - h0;
        MachineCpu end = MachineCpu.now();
        double operations = m.opsPerSecond() * seconds;
        double rest = machine == null || end == null
                ? Double.NaN
                : (end.busySeconds() - machine.busySeconds() - serverSeconds - harnessSeconds) / operations * 1e6;
        return new Costed(m, serverSeconds / operations * 1e6, rest);
    }

    /** "0.52 vs 0.21 of the SQL bound (1,300 vs 530 ops/s); p99 20.00 vs 40.00 ms". */
    private static String ratios(Measured ours, Measured theirs, Measured bound) {
        return String.format(
                Locale.ROOT,
                "%.2f vs %.2f of the SQL bound (%,.0f vs %,.0f ops/s); p99 %.2f vs %.2f ms",
                ours.opsPerSecond() / bound.opsPerSecond(),
                theirs.opsPerSecond() / bound.opsPerSecond(),
                ours.opsPerSecond(),
                theirs.opsPerSecond(),
                ours.p99Millis(),
                theirs.p99Millis());
    }
}
