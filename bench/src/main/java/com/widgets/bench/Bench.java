package com.widgets.bench;

import com.widgets.bench.data.Dataset;
import com.widgets.bench.load.ClosedLoop;
import com.widgets.bench.load.ClosedLoop.SettledRun;
import com.widgets.bench.service.GraphQlClient;
import com.widgets.bench.service.ServiceProcess;
import com.widgets.bench.service.SubscriberClients;
import com.widgets.bench.service.Subscribers;
import com.widgets.db.KeepRefusedConnections;
import com.widgets.db.Origin;
import com.widgets.db.PortRef;
import com.widgets.db.PortType;
import com.widgets.db.WiringStore;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import tools.jackson.databind.JsonNode;

/**
 * The benchmark harness behind {@code bench/run [quick|full|smoke|live] [--url=jdbc:…]}: starts the packaged service
 * on the embedded database (fsync on), or on an existing one given by its URL, measures each figure next to its raw
 * bound on the same database in the same run, and writes {@code bench/RESULTS.md} (a {@code --url} run its own section
 * of it, as does {@code live}: {@link LiveBench}).
 */
public final class Bench {

    private static final Logger log = LoggerFactory.getLogger(Bench.class);

    /** The service as the README's run command starts it: the extracted jar, its archive beside it. */
    private static final Path SERVICE_JAR = Path.of("api", "target", "app", "widgets-api.jar");

    private static final int WORKERS = 64, PAIRS_PER_WORKER = 16;
    /** The service's heap, floor and limit: the README's floor, and the limit the goals' heap figure is held to. */
    static final String SERVICE_HEAP = "512m";

    private static final String LINK = """
            mutation($a: ID!, $b: ID!) {
              link(input: {a: {serialNumber: $a, port: P}, b: {serialNumber: $b, port: Q}}) { changed }
            }""";
    private static final String UNLINK = """
            mutation($a: ID!) { unlink(input: {end: {serialNumber: $a, port: P}}) { changed } }""";
    private static final String WIDGET = """
            query($s: ID!) {
              widget(serialNumber: $s) { serialNumber name ports { type linkedAt peer { serialNumber port } } }
            }""";
    private static final String JOB = """
            query($id: ID!) {
              rewiringJob(id: $id) { status counts { read applied unchanged rejected } opsPerSecond startedAt endedAt }
            }""";

    private Bench() {}

    public static void main(String[] args) throws Exception {
        String url = System.getenv("BENCH_URL");
        Integer widgets = null;
        List<String> plain = new ArrayList<>();
        for (String arg : args) {
            if (arg.startsWith("--url=")) {
                url = arg.substring("--url=".length());
            } else if (arg.startsWith("--widgets=")) {
                widgets = Integer.parseInt(arg.substring("--widgets=".length()).replace("_", ""));
            } else if (arg.startsWith("--")) {
                throw new IllegalArgumentException("unknown option " + arg + "; see bench/run --help");
            } else {
                plain.add(arg);
            }
        }
        url = url == null || url.isBlank() ? null : url;
        String mode = plain.isEmpty() ? "quick" : plain.get(0);
        if (mode.equals("generate")) {
            int n = plain.size() > 1 ? Integer.parseInt(plain.get(1)) : 1_000_000;
            Dataset.Output files =
                    Dataset.generate(Path.of("bench", "work", "data-" + n), n, WORKERS * PAIRS_PER_WORKER * 2, 42);
            log.info("Wrote {}, {} and {}", files.widgets(), files.links(), files.mix());
            return;
        }
        if (mode.equals("subscribers")) { // the subscribers' own process, started by the live phases
            SubscriberClients.main(plain.subList(1, plain.size()).toArray(String[]::new));
            return;
        }
        if (mode.equals("live")) {
            if (url != null || widgets != null) {
                throw new IllegalArgumentException("bench/run live runs on the embedded database, without options");
            }
            long t0 = System.nanoTime();
            LiveBench.run(
                    SERVICE_JAR,
                    Path.of("bench", "work"),
                    Integer.getInteger("bench.pool", 16),
                    Path.of("bench", "RESULTS.md"),
                    t0);
            return;
        }
        if (mode.equals("peer")) {
            if (url != null) {
                throw new IllegalArgumentException("bench/run peer runs on the embedded database, without --url");
            }
            int n = widgets == null ? 200_000 : widgets; // the side-by-side size
            long t0 = System.nanoTime();
            HostProbe host = HostProbe.measure();
            Dataset.Output files =
                    Dataset.generate(Path.of("bench", "work", "data-" + n), n, WORKERS * PAIRS_PER_WORKER * 2, 42);
            PeerBench.run(
                    SERVICE_JAR,
                    Path.of("bench", "work"),
                    n,
                    Integer.getInteger("bench.pool", 16),
                    Duration.ofSeconds(3),
                    Duration.ofSeconds(15), // a point of each of 3 rounds
                    Duration.ofMinutes(4),
                    files,
                    Path.of("bench", "RESULTS.md"),
                    "bench/run peer" + (widgets == null ? "" : " --widgets=" + n),
                    host,
                    t0);
            log.info("Wrote bench/RESULTS.md; {}", wallClock(t0));
            return;
        }
        if (mode.equals("api")) {
            if (url != null) {
                throw new IllegalArgumentException("bench/run api runs on an embedded database, without --url");
            }
            apiOnly(plain.size() > 1 ? plain.get(1) : "full", widgets);
            return;
        }
        // --widgets: a smaller database for a slow target; the mode keeps its durations
        int n = widgets == null ? widgetsOf(mode) : widgets;
        long t0 = System.nanoTime();
        HostProbe host = HostProbe.measure();
        Run run = Run.of(mode, n);
        Path dataDir = run.work().resolve("data-" + n);
        log.info("Generating {} widgets into {}", n, dataDir);
        Dataset.Output files = Dataset.generate(dataDir, n, WORKERS * PAIRS_PER_WORKER * 2, 42);
        Path out = Path.of("bench", "RESULTS.md");
        if (url == null) {
            Results results = onEmbedded(run, files);
            results.note(host.note(HostProbe.measure()));
            results.note(wallClock(t0));
            results.write(out);
        } else {
            onExternal(run, files, url, t0, host, out);
        }
        log.info("Wrote {}; {}", out, wallClock(t0));
    }

    /** What every run of one mode shares; {@code n} is the mode's number of widgets unless --widgets set another. */
    private record Run(
            String mode, int n, int pool, Duration point, Duration warmUpLimit, Path jar, Path work, String scale) {
        static Run of(String mode, int n) {
            return new Run(
                    mode,
                    n,
                    Integer.getInteger("bench.pool", 16),
                    mode.equals("full") ? Duration.ofSeconds(20) : Duration.ofSeconds(8),
                    Duration.ofMinutes(mode.equals("full") ? 5 : 4),
                    SERVICE_JAR,
                    Path.of("bench", "work"),
                    n == 10_000_000 ? "" : " (set for 10M widgets; this run has " + n + ")");
        }

        Duration warmUp() {
            return Duration.ofSeconds(3);
        }

        Path serviceLog(String suffix) {
            return work.resolve("service-" + mode + suffix + ".log");
        }
    }

    /** A report's header: its title, the command that made it, and the service's start as a user would type it. */
    private static Results results(Run run, String title, String command, String serviceArgs) {
        return new Results(title, command, ServiceProcess.shown(run.jar(), SERVICE_HEAP) + serviceArgs, run.pool());
    }

    /** The embedded default, as a user starts it: a fresh data directory, then a second start on the loaded one. */
    private static Results onEmbedded(Run run, Dataset.Output files) throws Exception {
        Results results = results(run, run.mode(), command(run), "");
        Path pg = run.work().resolve("pg-" + run.mode());
        deleteTree(pg);
        double firstStart;
        try (ServiceProcess service =
                        ServiceProcess.embedded(run.jar(), pg, run.serviceLog(""), run.pool(), SERVICE_HEAP);
                HikariDataSource db = dataSource(service.jdbcUrl(), run.pool())) {
            firstStart = service.secondsToFirstAnswer();
            results.add(
                    "start",
                    "first answered request after the README's run command, empty data dir (initdb + migrations)",
                    firstStart,
                    "s",
                    null,
                    null);
            results.database(embeddedServer(db));
            measure(run, results, service, service.jdbcUrl(), db, files);
        }
        try (ServiceProcess again =
                ServiceProcess.embedded(run.jar(), pg, run.serviceLog(""), run.pool(), SERVICE_HEAP)) {
            double secondStart = again.secondsToFirstAnswer();
            results.add(
                    "start",
                    "first answered request after the README's run command, " + run.n() + " widgets loaded",
                    secondStart,
                    "s",
                    null,
                    null);
            results.goal(
                    "first request ≤ 8 s after the README's run command",
                    String.format(
                            Locale.ROOT, "%.2f s empty, %.2f s with %d widgets", firstStart, secondStart, run.n()),
                    8,
                    Math.max(firstStart, secondStart),
                    false);
        }
        return results;
    }

    /**
     * {@code bench/run api [full|quick|smoke]}: the GraphQL figures alone, on the database an earlier run of that mode
     * left in {@code bench/work/pg-MODE} (10M widgets after {@code full}), without generating, loading or the mix; writes
     * {@code bench/work/RESULTS-api-partial.md}, not {@code RESULTS.md}. For work on the request path at full size
     * without an hour's run.
     */
    private static void apiOnly(String from, Integer widgets) throws Exception {
        long t0 = System.nanoTime();
        HostProbe host = HostProbe.measure();
        Run run = Run.of(from, widgets == null ? widgetsOf(from) : widgets);
        Path pg = run.work().resolve("pg-" + from);
        if (!Files.isDirectory(pg)) {
            throw new IllegalArgumentException("bench/run api " + from + " measures the database an earlier `bench/run "
                    + from + "` left in " + pg + "; there is none");
        }
        Results results = results(
                run,
                "GraphQL figures on the database of the last " + from + " run",
                "bench/run api " + from + (widgets == null ? "" : " --widgets=" + widgets),
                "");
        try (ServiceProcess service =
                        ServiceProcess.embedded(run.jar(), pg, run.serviceLog("-api"), run.pool(), SERVICE_HEAP);
                HikariDataSource db = dataSource(service.jdbcUrl(), run.pool());
                GraphQlClient client = new GraphQlClient(service.baseUrl())) {
            results.database(embeddedServer(db) + ", the data directory " + pg + " as the last `bench/run " + from
                    + "` left it");
            apiFigures(run, results, client, service, service.jdbcUrl(), db);
        }
        results.note(host.note(HostProbe.measure()));
        results.note(wallClock(t0));
        Path out = run.work().resolve("RESULTS-api-partial.md");
        results.write(out);
        log.info("Wrote {}; {}", out, wallClock(t0));
    }

    /**
     * An existing database (a Citus coordinator, say): the service migrates it, the harness empties the wiring tables,
     * loads and measures as on the embedded one, then restarts the service against the loaded database. Writes its
     * own section of the report; the embedded report stays.
     */
    private static void onExternal(Run run, Dataset.Output files, String url, long t0, HostProbe host, Path out)
            throws Exception {
        String shown = url.replaceAll("(?i)(password=)[^&]*", "$1…");
        Results results =
                results(run, run.mode(), command(run) + " --url=" + shown, " --spring.datasource.url=" + shown);
        ExternalDatabase database;
        try (ServiceProcess service =
                        ServiceProcess.external(run.jar(), url, run.serviceLog("-url"), run.pool(), SERVICE_HEAP);
                HikariDataSource db = dataSource(url, run.pool())) {
            JdbcTemplate jdbc = new JdbcTemplate(db);
            database = ExternalDatabase.inspect(url, jdbc);
            database.emptyWiringTables(jdbc);
            log.info("Emptied widget, port and wiring_history on {}", database.address());
            results.database(database.description());
            results.note("no embedded database: the service ran on this one after its migrations; the harness emptied"
                    + " `widget`, `port` and `wiring_history` (`TRUNCATE`) before loading, so there is no start-up"
                    + " figure for an empty data directory");
            measure(run, results, service, url, db, files);
        }
        try (ServiceProcess again =
                ServiceProcess.external(run.jar(), url, run.serviceLog("-url"), run.pool(), SERVICE_HEAP)) {
            results.add(
                    "restart",
                    "service restarted against the same database, " + run.n()
                            + " widgets loaded: first answered request after the README's run command",
                    again.secondsToFirstAnswer(),
                    "s",
                    null,
                    null);
        }
        results.note(host.note(HostProbe.measure()));
        results.note(wallClock(t0));
        results.writeSection(
                out,
                database.sectionKey(),
                database.heading(),
                database.caveat(Runtime.getRuntime().availableProcessors()));
    }

    /** Load, rewiring mix, warm-up, mutations and queries, each next to its raw bound on the same database. */
    private static void measure(
            Run run, Results results, ServiceProcess service, String url, HikariDataSource db, Dataset.Output files)
            throws Exception {
        try (GraphQlClient client = new GraphQlClient(service.baseUrl())) {
            bulkLoad(results, client, db, files, run.scale());
            mix(results, client, db, files, run.scale());
            apiFigures(run, results, client, service, url, db);
        }
    }

    /**
     * The GraphQL figures of the goals, each next to its SQL bound: after the tables are settled and the service warmed
     * up, link/unlink mutations, then the widget query.
     */
    private static void apiFigures(
            Run run, Results results, GraphQlClient client, ServiceProcess service, String url, HikariDataSource db)
            throws Exception {
        // The load and the mix leave gigabytes of changed pages that the server's spread checkpoint would write
        // under the measurements below, the SQL bounds' and the service's alike: written now, and the tables read
        // in again, so the request path is measured on a quiet disk.
        double settle = SetBasedBound.settleWiring(db, citus(db));
        results.note(String.format(
                Locale.ROOT,
                "before the warm-up and the GraphQL measurements: VACUUM ANALYZE, a CHECKPOINT and pg_prewarm of"
                        + " the wiring tables, %.1f s (the load's and the mix's changed pages written before, not"
                        + " during, the measurements)",
                settle));
        WiringStore store = new WiringStore(new JdbcTemplate(db), new DataSourceTransactionManager(db));
        // with a listener of every change, as the mutations are measured: the service's delivery path and the
        // subscribers' process are compiled before anything is measured
        try (Subscribers listening = Subscribers.open(service.baseUrl(), 1, Collections.singletonList(null))) {
            warmUp(results, client, store, run.n(), run.warmUpLimit());
        }
        settleFigures(
                results,
                client,
                service.baseUrl(),
                run.n(),
                run.warmUp(),
                run.point(),
                List.of(8),
                SETTLE_ROUNDS,
                "then the goals' two figures below (link/unlink at 32 clients with a listener, the query at 8)");
        mutations(results, client, service, store, url, run.point());
        queries(results, client, url, run.n(), run.point(), run.scale());
    }

    /** "PostgreSQL 17.11 (embedded, fsync on, synchronous_commit on)": the database line of a run on the embedded server. */
    private static String embeddedServer(HikariDataSource db) {
        String version = new JdbcTemplate(db).queryForObject("SHOW server_version", String.class);
        return "PostgreSQL " + version + " (embedded, fsync on, synchronous_commit on)";
    }

    private static int widgetsOf(String mode) {
        return switch (mode) {
            case "quick" -> 1_000_000;
            case "full" -> 10_000_000;
            case "smoke" -> 20_000;
            default -> throw new IllegalArgumentException("mode is quick, full, smoke, api, live or peer, not " + mode);
        };
    }

    private static String command(Run run) {
        return "bench/run " + run.mode() + (run.n() == widgetsOf(run.mode()) ? "" : " --widgets=" + run.n());
    }

    static String wallClock(long t0) {
        return String.format(
                Locale.ROOT,
                "wall-clock time of the run: %.1f min (data files, service starts, load, measurements)",
                (System.nanoTime() - t0) / 60e9);
    }

    static HikariDataSource dataSource(String url, int pool) {
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl(url);
        ds.setMaximumPoolSize(pool);
        ds.setExceptionOverride(new KeepRefusedConnections()); // as the service's pool: a refusal keeps the connection
        return ds;
    }

    private static void bulkLoad(
            Results results, GraphQlClient client, HikariDataSource db, Dataset.Output files, String scale)
            throws Exception {
        boolean citus = citus(db);
        long t0 = System.nanoTime();
        Job widgets = runJob(client, files.widgets());
        // The link bound writes to a vacuumed, analysed copy after a checkpoint, read into the pool; the job's tables
        // get the same, so both meet the port table in the same state (as-left vs settled was 15.8k vs 18.1k links/s
        // for the job).
        double settle = SetBasedBound.settleWiring(db, citus);
        Job links = runJob(client, files.links());
        double total = (System.nanoTime() - t0) / 1e9;
        SetBasedBound.Rate addBound = SetBasedBound.adds(db, citus, files.widgets());
        SetBasedBound.Rate linkBound = SetBasedBound.links(db, citus, files.links());
        String setBased = "the same writes as set-based SQL, 1,000 lines a transaction, two connections, lines/s";
        results.add(
                "load",
                withCpu("rewiring job: add " + widgets.read + " widgets", widgets.cpu),
                widgets.opsPerSecond,
                "lines/s",
                addBound.perSecond(),
                withCpu(setBased, addBound.cpu()));
        results.add(
                "load",
                withCpu("rewiring job: link " + links.read + " pairs", links.cpu),
                links.opsPerSecond,
                "lines/s",
                linkBound.perSecond(),
                withCpu(setBased, linkBound.cpu()));
        results.add(
                "load",
                "widgets + links loaded (upload to completion; between the two files VACUUM ANALYZE, a CHECKPOINT and"
                        + " pg_prewarm,"
                        + " " + String.format(Locale.ROOT, "%.1f", settle) + " s of it)",
                total,
                "s",
                null,
                null);
        double heapMiB = Math.max(widgets.heapPeak, links.heapPeak) / 1048576.0;
        results.add(
                "load",
                heapPeakText("rewiring job", Math.max(widgets.heapOutsideEdenPeak, links.heapOutsideEdenPeak)),
                heapMiB,
                "MiB",
                null,
                null);
        results.ratioGoal(
                "rewiring job on the link file ≥ 0.8 of the set-based SQL bound" + scale,
                links.opsPerSecond,
                linkBound.perSecond(),
                "lines/s",
                0.8);
        results.goal(
                "rewiring job heap ≤ 512 MB", String.format(Locale.ROOT, "%.0f MiB", heapMiB), 512, heapMiB, false);
        // the goal is 3 minutes for 10M widgets and 10M links; a smaller run is judged on its share of that time
        // (the job's lines/s fall a little with size, so a met share at 1M is a hint, not a proof)
        double share = files.widgetCount() / 10_000_000.0;
        results.goal(
                "widgets + links loaded in ≤ 3 minutes" + scale,
                share >= 1
                        ? String.format(Locale.ROOT, "%,.0f s", total)
                        : String.format(
                                Locale.ROOT,
                                "%,.0f s, against %,.1f s, this run's share of the 3 minutes",
                                total,
                                180 * share),
                180 * Math.min(1, share),
                total,
                false);
    }

    /**
     * The mix's set-based bound on copies of the tables as the load left them, then — on the tables settled as the
     * bound's copies were — the job on the same file.
     */
    private static void mix(
            Results results, GraphQlClient client, HikariDataSource db, Dataset.Output files, String scale)
            throws Exception {
        boolean citus = citus(db);
        SetBasedBound.Rate bound = null;
        String failed = null;
        Job mix;
        long differences = -1;
        try {
            try {
                bound = SetBasedBound.mix(db, citus, files.mix(), files.mixPlan());
            } catch (Exception e) {
                log.warn("The mix's set-based bound failed", e);
                failed = rootMessage(e);
            }
            SetBasedBound.settleWiring(db, citus);
            mix = runJob(client, files.mix());
            if (bound != null) {
                try {
                    differences = SetBasedBound.mixDifferences(db);
                } catch (SQLException e) { // the job's figure still stands; the bound, unchecked, does not
                    log.warn("Comparing the mix's bound with the job's tables failed", e);
                    failed = "its rows could not be compared with the job's: " + rootMessage(e);
                    bound = null;
                }
            }
        } finally {
            SetBasedBound.dropScratch(db);
        }
        if (differences > 0) { // the two made other writes than each other: the bound is no bound of this job
            log.warn(
                    "After the mix, {} widget or port rows differ between the job's tables and the bound's",
                    differences);
            failed = "its rows ended unlike the job's (" + differences + " widget or port rows differ)";
            bound = null;
        }
        results.add(
                "mix",
                withCpu(
                        "rewiring mix: " + mix.read + " lines (" + mix.rejected + " rejected, generator expects "
                                + files.mixRejects() + ")",
                        mix.cpu),
                mix.opsPerSecond,
                "lines/s",
                bound == null ? null : bound.perSecond(),
                withCpu(
                        "the same writes as set-based SQL in dependency layers, 1,000 lines a transaction, "
                                + (SetBasedBound.mixWriters(citus) == 1 ? "one connection" : "two connections")
                                + "; every widget and port row ends as the job left it; lines/s",
                        bound == null ? null : bound.cpu()));
        results.add(
                "mix",
                heapPeakText("rewiring mix", mix.heapOutsideEdenPeak),
                mix.heapPeak / 1048576.0,
                "MiB",
                null,
                null);
        String goal = "rewiring job on the mix ≥ 0.8 of the set-based SQL bound" + scale;
        if (bound != null) {
            results.ratioGoal(goal, mix.opsPerSecond, bound.perSecond(), "lines/s", 0.8);
        } else {
            results.unmeasured(
                    goal,
                    String.format(
                            Locale.ROOT, "%,.0f lines/s; the set-based bound failed: %s", mix.opsPerSecond, failed));
        }
    }

    private static boolean citus(HikariDataSource db) {
        return Boolean.TRUE.equals(new JdbcTemplate(db)
                .queryForObject("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')", Boolean.class));
    }

    /**
     * GraphQL link/unlink pairs with one subscriber of every change listening, next to the same changes as the least
     * SQL (each worker on its own connection); at concurrency 32 also the store's own transactions over JDBC, which
     * tells the store's cost apart from the request path's. Each figure is measured once its rate has settled
     * ({@link #settled}); the bound's connections are kept from one concurrency to the next, as the service's pool is.
     */
    private static void mutations(
            Results results, GraphQlClient client, ServiceProcess service, WiringStore store, String url, Duration time)
            throws Exception {
        try (SqlBounds bound = SqlBounds.linkUnlink(url, WORKERS)) {
            for (int concurrency : List.of(1, 8, 32, 64)) {
                SettledRun api;
                long heard;
                try (Subscribers listening =
                        Subscribers.open(service.baseUrl(), 1, Collections.singletonList((List<String>) null))) {
                    log.info("GraphQL link/unlink mutations, concurrency {}", concurrency);
                    api = settled(concurrency, time, true, apiMutation(client));
                    heard = listening.subscriptions().get(0).receipts().size();
                    Subscribers.Status status = listening.status();
                    if (status.errors() > 0) {
                        throw new IllegalStateException("the listener was ended: " + status.firstError());
                    }
                }
                String what = "GraphQL link/unlink mutations, concurrency " + concurrency + ", one subscriber of every"
                        + " change listening (it got " + heard + " events), " + api.text();
                SettledRun sql;
                try {
                    log.info("Their SQL bound, concurrency {}", concurrency);
                    sql = settled(concurrency, time, true, bound);
                } catch (Exception e) {
                    if (concurrency == 32) {
                        throw e; // the goals are stated at 32
                    }
                    // e.g. a Citus worker out of connections with a client each: the rest of the run still counts
                    log.warn("The link/unlink SQL bound at concurrency {} failed", concurrency, e);
                    results.latencyWithoutBound(
                            "link/unlink",
                            what,
                            api.measured(),
                            "the SQL bound, a connection per client, failed: " + rootMessage(e));
                    continue;
                }
                results.latency(
                        "link/unlink",
                        what,
                        api.measured(),
                        sql.measured(),
                        "the same check-and-sets and history rows as SQL, a connection per client, " + sql.text());
                if (concurrency == 32) {
                    log.info("The store's own link/unlink transactions over JDBC, concurrency {}", concurrency);
                    SettledRun own = settled(concurrency, time, true, jdbcMutation(store));
                    results.latency(
                            "link/unlink",
                            "the store's own link/unlink transactions over JDBC (no HTTP, no GraphQL), concurrency 32, "
                                    + own.text(),
                            own.measured(),
                            sql.measured(),
                            "as above");
                    results.ratioGoal(
                            "GraphQL `link`/`unlink` ≥ 0.5 of the SQL bound at concurrency 32, a subscriber listening",
                            api.measured().opsPerSecond(),
                            sql.measured().opsPerSecond(),
                            "ops/s",
                            0.5);
                    results.goal(
                            "GraphQL `link`/`unlink` p99 ≤ 20 ms at concurrency 32",
                            String.format(
                                    Locale.ROOT,
                                    "%.2f ms (the SQL bound's own p99: %.2f ms)",
                                    api.measured().p99Millis(),
                                    sql.measured().p99Millis()),
                            20,
                            api.measured().p99Millis(),
                            false);
                }
            }
        }
    }

    /**
     * Unmeasured rounds of {@link #SETTLE_ROUND} until the rate of {@code op} settles, at most {@link #SETTLE_FIGURE}.
     */
    private static SettledRun settled(int concurrency, Duration time, boolean even, ClosedLoop.Op op) throws Exception {
        int max = (int) Math.max(1, SETTLE_FIGURE.toNanos() / SETTLE_ROUND.toNanos());
        SettledRun run = ClosedLoop.runSettled(concurrency, SETTLE_ROUND, max, time, even, op);
        log.info("Measured {}", run.text());
        return run;
    }

    /** A link on even calls, the unlink of the same pair on odd ones, over GraphQL. */
    static ClosedLoop.Op apiMutation(GraphQlClient client) {
        return (worker, i) -> {
            String[] pair = pair(worker, i);
            JsonNode r = i % 2 == 0
                    ? client.execute(LINK, Map.of("a", pair[0], "b", pair[1]))
                    : client.execute(UNLINK, Map.of("a", pair[0]));
            return !r.has("errors");
        };
    }

    /** The same calls as {@link #apiMutation}, straight to the store over JDBC. */
    static ClosedLoop.Op jdbcMutation(WiringStore store) {
        Origin origin = Origin.request("bench", null);
        return (worker, i) -> {
            String[] pair = pair(worker, i);
            if (i % 2 == 0) {
                store.link(new PortRef(pair[0], PortType.P), new PortRef(pair[1], PortType.Q), origin);
            } else {
                store.unlink(new PortRef(pair[0], PortType.P), null, origin);
            }
            return true;
        };
    }

    /** Worker {@code w}'s pair for its {@code i}-th call: a link and its unlink use the same pair. */
    static String[] pair(int worker, long i) {
        int k = (int) ((i / 2) % PAIRS_PER_WORKER);
        int a = 2 * (worker * PAIRS_PER_WORKER + k);
        return new String[] {Dataset.reservedSerial(a), Dataset.reservedSerial(a + 1)};
    }

    /**
     * The widget query at several concurrencies: at 1 and 8 the machine has spare CPU and the latency is the service's
     * own; at 32 the load generator, the service and PostgreSQL saturate the two shared cores and latency is mostly
     * queueing.
     */
    private static void queries(Results results, GraphQlClient client, String url, int n, Duration time, String scale)
            throws Exception {
        try (SqlBounds bound = SqlBounds.widget(url, 32, n)) {
            for (int concurrency : List.of(1, 8, 32)) {
                log.info("GraphQL widget queries, concurrency {}", concurrency);
                SettledRun api = settled(concurrency, time, false, apiQuery(client, n, concurrency));
                log.info("Their SQL bound, concurrency {}", concurrency);
                SettledRun sql = settled(concurrency, time, false, bound);
                results.latency(
                        "query",
                        "GraphQL widget(serialNumber) with ports and peers, " + n + " widgets, concurrency "
                                + concurrency + ", " + api.text(),
                        api.measured(),
                        sql.measured(),
                        "the same read as one SQL join, a connection per client, " + sql.text());
                if (concurrency == 8) {
                    results.ratioGoal(
                            "`widget` query ≥ 0.25 of the SQL bound at concurrency 8" + scale,
                            api.measured().opsPerSecond(),
                            sql.measured().opsPerSecond(),
                            "ops/s",
                            0.25);
                    results.goal(
                            "`widget` query p99 ≤ 5 ms at concurrency 8" + scale,
                            String.format(
                                    Locale.ROOT,
                                    "%.2f ms (the SQL bound's own p99: %.2f ms)",
                                    api.measured().p99Millis(),
                                    sql.measured().p99Millis()),
                            5,
                            api.measured().p99Millis(),
                            false);
                }
            }
        }
    }

    static ClosedLoop.Op apiQuery(GraphQlClient client, int n, int concurrency) {
        SplittableRandom[] random = randomPerWorker(concurrency);
        return (worker, i) -> !client.execute(WIDGET, Map.of("s", widgetSerial(random[worker], n)))
                .has("errors");
    }

    private static ClosedLoop.Op jdbcQuery(WiringStore store, int n, int concurrency) {
        SplittableRandom[] random = randomPerWorker(concurrency);
        return (worker, i) -> {
            store.widget(widgetSerial(random[worker], n));
            return true;
        };
    }

    static SplittableRandom[] randomPerWorker(int concurrency) {
        SplittableRandom seeds = new SplittableRandom(7);
        SplittableRandom[] random = new SplittableRandom[concurrency];
        for (int w = 0; w < concurrency; w++) {
            random[w] = seeds.split();
        }
        return random;
    }

    static String widgetSerial(SplittableRandom random, int n) {
        return String.format("W%08d", random.nextInt(n));
    }

    /**
     * Runs GraphQL mutations and queries (and the raw JDBC calls) until the service's JIT compiler has settled: a
     * freshly started service spends a whole core for a minute or more in C2 compilation of the GraphQL path, and
     * figures measured meanwhile describe the compiler, not the service. Settled means under 250 ms of compilation
     * in a 10-second round; the run records how long that took, and says so when the limit came first. A few clients,
     * not 32: on two cores, 32 closed-loop clients left the compiler threads so little CPU that the compiler had not
     * settled after three minutes, and the measurements after it still paid for compilation (bench/PROFILE.md).
     * Then 32, once the few clients' code is compiled: contended paths (callers waiting for a pooled connection, more
     * requests in flight than cores) are code of their own, and a service warmed at 8 clients spent 16 s of its first
     * 20 s at 32 clients compiling it, at half its later throughput (bench/PROFILE.md, 2026-12-03, fourth session).
     */
    private static final int WARM_UP_CLIENTS = Integer.getInteger(
            "bench.warm-up.clients", Math.max(4, Runtime.getRuntime().availableProcessors()));

    private static final int CONTENDED_WARM_UP_CLIENTS = 32;

    /** A round of calls that costs the service's JIT compiler less than this has it settled. */
    static final long SETTLED_COMPILE_MILLIS = 250;

    /**
     * At most this long in unmeasured rounds before each GraphQL figure and each SQL bound ({@link #settled}): a
     * bound's 8 fresh connections at 10M widgets took two to three minutes to reach their rate, paying page faults on the
     * server's shared buffers that the service's pool had paid long before.
     */
    static final Duration SETTLE_FIGURE = Duration.ofMinutes(4);

    /** One unmeasured round before a GraphQL figure or an SQL bound ({@link #settled}). */
    static final Duration SETTLE_ROUND = Duration.ofSeconds(10);

    /** At most this many unmeasured rounds of the measured figures before them ({@link #settleFigures}). */
    static final int SETTLE_ROUNDS = 6;

    /** The innermost cause's message, on one line. */
    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return String.valueOf(root.getMessage()).replaceAll("\\s+", " ");
    }

    static void warmUp(Results results, GraphQlClient client, WiringStore store, int n, Duration limit)
            throws Exception {
        long t0 = System.nanoTime();
        Duration round = Duration.ofSeconds(10);
        boolean settled = true;
        for (int clients : List.of(WARM_UP_CLIENTS, CONTENDED_WARM_UP_CLIENTS)) {
            // a round of the calls the figures make, mostly GraphQL
            Duration left = limit.minusNanos(System.nanoTime() - t0);
            Settled at = untilCompilerSettles(
                    client::compilationMillis,
                    Integer.MAX_VALUE,
                    left,
                    "Warm-up at " + clients + " clients, round",
                    () -> {
                        ClosedLoop.run(
                                clients, Duration.ZERO, round.multipliedBy(6).dividedBy(10), true, apiMutation(client));
                        ClosedLoop.run(
                                clients,
                                Duration.ZERO,
                                round.multipliedBy(3).dividedBy(10),
                                false,
                                apiQuery(client, n, clients));
                        ClosedLoop.run(clients, Duration.ZERO, round.dividedBy(20), true, jdbcMutation(store));
                        ClosedLoop.run(
                                clients, Duration.ZERO, round.dividedBy(20), false, jdbcQuery(store, n, clients));
                    });
            settled &= at.settled();
        }
        results.add(
                "warm-up",
                "GraphQL mutations and queries before the measurements below, at " + WARM_UP_CLIENTS + " then "
                        + CONTENDED_WARM_UP_CLIENTS + " clients, until the service's JIT compiler settled at each"
                        + (settled ? "" : " (limit reached before it settled)"),
                (System.nanoTime() - t0) / 1e9,
                "s",
                null,
                null);
    }

    /**
     * Figures as they are measured — link/unlink at 32 clients with a listener, then the query at each of {@code
     * queryClients} — unmeasured, until a round of them costs the service's compiler under 250 ms, at most {@code max}:
     * the mixed warm-up leaves C2 compiling for minutes once the calls come one kind at a time (PROFILE.md, 2026-12-06
     * second session). Adds a row naming {@code what} was settled.
     */
    static void settleFigures(
            Results results,
            GraphQlClient client,
            String baseUrl,
            int n,
            Duration warmUp,
            Duration point,
            List<Integer> queryClients,
            int max,
            String what)
            throws Exception {
        long t0 = System.nanoTime();
        Settled settled = untilCompilerSettles(client, max, "Settling round", () -> {
            try (Subscribers listening = Subscribers.open(baseUrl, 1, Collections.singletonList((List<String>) null))) {
                ClosedLoop.run(CONTENDED_WARM_UP_CLIENTS, warmUp, point, true, apiMutation(client));
            }
            for (int clients : queryClients) {
                ClosedLoop.run(clients, warmUp, point, false, apiQuery(client, n, clients));
            }
        });
        results.add(
                "warm-up",
                what + ", unmeasured, as they are measured, until a round of them had under " + SETTLED_COMPILE_MILLIS
                        + " ms of JIT compilation in the service (at most " + max + "): " + settled.text("round"),
                (System.nanoTime() - t0) / 1e9,
                "s",
                null,
                null);
    }

    /** One unmeasured round of calls. */
    interface Round {
        void run() throws Exception;
    }

    /** How many rounds {@link #untilCompilerSettles} ran, and the last one's compilation in ms. */
    record Settled(int rounds, double lastMillis) {
        /** "6 round(s), the last 160 ms". */
        String text(String unit) {
            return rounds + " " + unit + "(s), the last " + Math.round(lastMillis) + " ms";
        }

        /** Whether the last round compiled under the limit, rather than the rounds or the time running out. */
        boolean settled() {
            return lastMillis < SETTLED_COMPILE_MILLIS;
        }
    }

    /**
     * Runs {@code round} until one costs the service's JIT compiler under 250 ms, at most {@code max} times: the
     * measured stretches of one kind each that follow a mixed warm-up still made C2 compile for minutes (PROFILE.md,
     * 2026-12-06 second session).
     */
    static Settled untilCompilerSettles(GraphQlClient client, int max, String what, Round round) throws Exception {
        return untilCompilerSettles(client::compilationMillis, max, Duration.ofNanos(Long.MAX_VALUE), what, round);
    }

    /** Milliseconds a server's JIT compilers have worked so far. */
    interface CompileClock {
        double millis() throws IOException;
    }

    /** The same, starting no more rounds once {@code limit} is up; {@code clock} reads the server's compilers. */
    static Settled untilCompilerSettles(CompileClock clock, int max, Duration limit, String what, Round round)
            throws Exception {
        long t0 = System.nanoTime();
        int rounds = 0;
        double compiled;
        do {
            rounds++;
            compiled = clock.millis();
            round.run();
            compiled = clock.millis() - compiled;
            log.info("{} {}: {} ms of JIT compilation", what, rounds, Math.round(compiled));
        } while (compiled >= SETTLED_COMPILE_MILLIS && rounds < max && System.nanoTime() - t0 < limit.toNanos());
        return new Settled(rounds, compiled);
    }

    /**
     * A rewiring job run through the API.
     *
     * @param cpu what the machine's cores did from the upload to the job's end (null off Linux)
     */
    record Job(
            long read,
            long rejected,
            double opsPerSecond,
            double heapPeak,
            double heapOutsideEdenPeak,
            MachineCpu.Usage cpu) {}

    /**
     * The label of a job's heap peak: the whole heap's use, sampled every 250 ms, and the peak of what was outside the
     * young generation's eden, which with the service's floor ({@code -Xms512m}) fills to its size whatever the work.
     */
    static String heapPeakText(String what, double outsideEdenBytes) {
        return String.format(
                Locale.ROOT,
                "%s heap peak (service %s; outside the young generation's eden, what survived a"
                        + " collection: %.0f MiB at most)",
                what,
                ServiceProcess.heapShown(SERVICE_HEAP),
                outsideEdenBytes / 1048576.0);
    }

    /** {@code text}, with what the machine's cores did while it was measured when that is known. */
    static String withCpu(String text, MachineCpu.Usage cpu) {
        return cpu == null ? text : text + "; " + cpu.text();
    }

    static Job runJob(GraphQlClient client, Path file) throws Exception {
        log.info("Uploading {}", file);
        MachineCpu cpu = MachineCpu.now();
        String id = client.upload(file, "apply");
        double heapPeak = 0;
        double outsideEdenPeak = 0;
        while (true) {
            heapPeak = Math.max(heapPeak, client.heapUsed());
            outsideEdenPeak = Math.max(outsideEdenPeak, client.heapOutsideEden());
            JsonNode job = client.execute(JOB, Map.of("id", id)).get("data").get("rewiringJob");
            String status = job.get("status").asString();
            if (status.equals("COMPLETED")) {
                JsonNode counts = job.get("counts");
                long read = counts.get("read").asLong();
                double seconds = Duration.between(
                                        Instant.parse(job.get("startedAt").asString()),
                                        Instant.parse(job.get("endedAt").asString()))
                                .toMillis()
                        / 1000.0;
                log.info("{}: {} lines in {} s", file.getFileName(), read, seconds);
                return new Job(
                        read,
                        counts.get("rejected").asLong(),
                        read / seconds,
                        heapPeak,
                        outsideEdenPeak,
                        MachineCpu.since(cpu, read));
            }
            if (!status.equals("RUNNING") && !status.equals("PENDING")) {
                throw new IllegalStateException("job " + id + " for " + file + " ended " + status);
            }
            Thread.sleep(250);
        }
    }

    static void deleteTree(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
