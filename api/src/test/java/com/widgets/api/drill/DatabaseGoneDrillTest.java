package com.widgets.api.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.widgets.db.Origin;
import com.widgets.db.PortRef;
import com.widgets.db.PortType;
import com.widgets.db.WiringOp;
import com.widgets.db.WiringStore;
import com.widgets.db.embedded.EmbeddedPostgresServer;
import com.widgets.db.testing.WiringDatabase;
import com.widgets.db.testing.WiringModel;
import com.widgets.ingest.rewire.RewiringJob;
import com.widgets.ingest.rewire.RewiringJobs;
import com.widgets.ingest.rewire.RewiringStatus;
import java.io.BufferedWriter;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Database gone: while 32 clients send GraphQL mutations and a rewiring job runs, the service's PostgreSQL goes away
 * and comes back, in two ways ({@link Outage}): stopped for real (pg_ctl, fast shutdown) for 10 s, then started again;
 * or frozen (every process paused, connections open and silent, as a hung or cut-off host) for 15 s, then thawed.
 * During the outage every request is answered within the pool's waits (2 s for a connection, 4 s for a statement's
 * answer here) with {@code UNAVAILABLE} or {@code BUSY} — never a hang, a 500 or a stack trace — and readiness is
 * DOWN; afterwards the service serves again without a restart. Every mutation answered with success is in the history
 * and the wiring, none answered with an error is half there; the job failed, and restarted it ends exactly as {@link
 * WiringModel} says an uninterrupted run does.
 */
@Drill
class DatabaseGoneDrillTest {

    private static final Logger log = LoggerFactory.getLogger(DatabaseGoneDrillTest.class);
    private static final int CLIENTS = 32;

    /** How the database goes away, and how soon each request must have been answered meanwhile. */
    enum Outage {
        /** Stopped: connections are refused or broken at once; a request waits at most for a connection. */
        STOPPED(Duration.ofSeconds(10), Drill.CONNECTION_TIMEOUT_MILLIS + 3_000L),
        /**
         * Frozen: nothing refuses, nothing answers. A request may wait for a connection, then for the answer to a
         * statement sent on a connection that looked fine; longer than both together, as the freeze is, would be a
         * hang.
         */
        FROZEN(Duration.ofSeconds(15), Drill.CONNECTION_TIMEOUT_MILLIS + Drill.SOCKET_TIMEOUT_SECONDS * 1000L + 3_000L);

        final Duration duration;
        final long answeredWithinMillis;

        Outage(Duration duration, long answeredWithinMillis) {
            this.duration = duration;
            this.answeredWithinMillis = answeredWithinMillis;
        }
    }

    private static final int JOB_WIDGETS = 2_000;
    private static final int JOB_LINES = 30_000;
    private static final Origin SETUP = Origin.request("drill", "setup");

    @Autowired
    WiringStore store;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    RewiringJobs jobs;

    @Autowired
    EmbeddedPostgresServer server;

    @LocalServerPort
    int port;

    @TempDir
    Path temp;

    /** One mutation as its client saw it. */
    record Call(long startedAt, String requestId, boolean link, DrillHttp.Answer answer) {}

    @ParameterizedTest
    @EnumSource(Outage.class)
    void mutationsAndAJobLiveThroughAnOutageOfTheDatabase(Outage outage) throws Exception {
        assumeTrue(outage != Outage.FROZEN || !OS.WINDOWS.isCurrentOs(), "processes are paused with kill -STOP");
        WiringDatabase db = new WiringDatabase(jdbc);
        db.reset();
        for (int c = 0; c < CLIENTS; c++) {
            store.addWidget("W-" + c + "-A", "client " + c, EnumSet.allOf(PortType.class), SETUP);
            store.addWidget("W-" + c + "-B", "client " + c, EnumSet.allOf(PortType.class), SETUP);
        }
        Expected expected = rewiringFile(temp.resolve("rewire.csv"));
        DrillHttp http = new DrillHttp(port);
        EmbeddedPostgresControl postgres = new EmbeddedPostgresControl(server.dataDir());

        DrillHttp.Answer upload = http.send(http.request("/rewiring/jobs?filename=rewire.csv")
                .header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofFile(expected.file)));
        assertThat(upload.status()).as(upload.body()).isEqualTo(202);
        long jobId = Long.parseLong(upload.body().replaceAll("\\D", ""));

        AtomicBoolean running = new AtomicBoolean(true);
        List<Call> calls = Collections.synchronizedList(new ArrayList<>());
        Map<Long, String> readiness = new ConcurrentHashMap<>();
        ExecutorService threads = Executors.newFixedThreadPool(CLIENTS + 1);
        List<Future<?>> clients = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            clients.add(threads.submit(() -> {
                boolean link = true;
                while (running.get()) {
                    String a = "W-" + client + "-A", b = "W-" + client + "-B";
                    long at = System.nanoTime();
                    DrillHttp.Answer answer = http.graphQl(
                            link
                                    ? "mutation { link(input: {a: {serialNumber: \"" + a + "\", port: P}, b:"
                                            + " {serialNumber: \"" + b + "\", port: Q}}) { changed requestId } }"
                                    : "mutation { unlink(input: {end: {serialNumber: \"" + a + "\", port: P}})"
                                            + " { changed requestId } }");
                    calls.add(new Call(at - t0, answer.requestId(), link, answer));
                    link = !link;
                }
            }));
        }
        Future<?> probe = threads.submit(() -> {
            while (running.get()) {
                DrillHttp.Answer answer = http.get("/actuator/health/readiness");
                readiness.put((System.nanoTime() - t0) / 1_000_000, answer.status() + " " + answer.millis() + "ms");
                sleep(200);
            }
        });

        Awaitility.await()
                .atMost(Duration.ofMinutes(2))
                .until(() -> jobs.status(jobId).orElseThrow().counts().read() >= 3_000);
        long readBeforeStop = jobs.status(jobId).orElseThrow().counts().read();
        long stoppedAt = (System.nanoTime() - t0) / 1_000_000;
        List<ProcessHandle> frozen = List.of();
        try {
            if (outage == Outage.FROZEN) {
                frozen = postgres.freeze();
            } else {
                postgres.stop();
            }
            log.info("Drill: PostgreSQL {} after {} ms; the job had read {} lines", outage, stoppedAt, readBeforeStop);
            Thread.sleep(outage.duration.toMillis());
        } finally {
            if (!frozen.isEmpty()) {
                EmbeddedPostgresControl.thaw(frozen); // whatever happened: the drills after this one need it
            }
        }
        long startingAt = (System.nanoTime() - t0) / 1_000_000;
        if (outage == Outage.STOPPED) {
            postgres.start();
        }
        long startedAt = (System.nanoTime() - t0) / 1_000_000;
        log.info("Drill: PostgreSQL back after {} ms", startedAt);
        Thread.sleep(8_000);
        running.set(false);
        for (Future<?> client : clients) {
            client.get(2, TimeUnit.MINUTES);
        }
        probe.get(1, TimeUnit.MINUTES);
        threads.shutdown();

        // Every request got an answer, fast, and no answer showed the server's insides.
        List<Call> all = new ArrayList<>(calls);
        assertThat(all).allSatisfy(call -> {
            assertThat(call.answer().status()).as(call.answer().body()).isEqualTo(200);
            assertThat(call.answer().millis())
                    .as("answered within the pool's waits and some")
                    .isLessThan(outage.answeredWithinMillis);
            assertThat(call.answer().showsInsides()).as(call.answer().body()).isFalse();
        });
        List<Call> refused = all.stream().filter(c -> c.answer().hasErrors()).toList();
        assertThat(refused).as("mutations refused during the outage").isNotEmpty();
        assertThat(refused)
                .extracting(c -> c.answer().code())
                .as("refusal codes")
                .allMatch(code -> code.equals("UNAVAILABLE") || code.equals("BUSY"));
        long slowestRefusal =
                refused.stream().mapToLong(c -> c.answer().millis()).max().orElse(0);
        long lastRefusalAt =
                refused.stream().mapToLong(c -> c.startedAt() / 1_000_000).max().orElse(0);
        assertThat(all.stream()
                        .filter(c -> c.startedAt() / 1_000_000 > startedAt + 3_000)
                        .map(c -> c.answer().hasErrors())
                        .toList())
                .as("3 s after the database is back, every mutation succeeds again, without a restart")
                .isNotEmpty()
                .containsOnly(false);

        // Every success is in the history, every refusal entirely absent or (its commit's answer lost) entirely there.
        Map<String, Long> rows = new TreeMap<>();
        jdbc.query(
                "SELECT request_id, count(*) FROM wiring_history WHERE request_id = ANY(?) GROUP BY request_id",
                rs -> {
                    rows.put(rs.getString(1), rs.getLong(2));
                },
                (Object) all.stream().map(Call::requestId).toArray(String[]::new));
        for (Call call : all) {
            long written = rows.getOrDefault(call.requestId(), 0L);
            if (!call.answer().hasErrors()) {
                boolean changed = call.answer().body().contains("\"changed\":true");
                assertThat(written).as("history rows of a success %s", call).isEqualTo(changed ? 2 : 0);
            } else {
                assertThat(written).as("history rows of a refusal %s", call).isIn(0L, 2L);
            }
        }
        assertThat(db.invariantViolations()).isEmpty();
        assertThat(db.replayHistory()).isEqualTo(db.snapshot());

        // Readiness went down while the database was away, and came back.
        List<String> probes = new TreeMap<>(readiness)
                .entrySet().stream().map(e -> e.getKey() + "ms " + e.getValue()).toList();
        assertThat(probes.stream().filter(p -> p.contains(" 503 ")).count())
                .as("readiness DOWN during the outage: %s", probes)
                .isPositive();
        assertThat(probes.get(probes.size() - 1)).contains(" 200 ");

        // The job failed with the database; restarted, it ends as an uninterrupted run.
        RewiringJob failed = Awaitility.await()
                .atMost(Duration.ofMinutes(1))
                .until(() -> jobs.status(jobId).orElseThrow(), job -> job.status() != RewiringStatus.RUNNING);
        assertThat(failed.status()).isEqualTo(RewiringStatus.FAILED);
        assertThat(failed.message()).contains("database became unavailable", "restartRewiring");
        DrillHttp.Answer restart = http.graphQl("mutation { restartRewiring(id: \"" + jobId + "\") { id status } }");
        assertThat(restart.hasErrors()).as(restart.body()).isFalse();
        RewiringJob done = jobs.await(jobId, Duration.ofMinutes(3));
        assertThat(done.status()).as(done.message()).isEqualTo(RewiringStatus.COMPLETED);
        assertThat(done.counts().read()).isEqualTo(expected.read);
        assertThat(done.counts().applied()).isEqualTo(expected.applied);
        assertThat(done.counts().unchanged()).isEqualTo(expected.unchanged);
        assertThat(rejects(http, jobId)).isEqualTo(expected.rejects);
        Map<String, String> jobWidgets = new TreeMap<>();
        db.snapshot().forEach((port, peer) -> {
            if (port.startsWith("J")) {
                jobWidgets.put(port, peer);
            }
        });
        assertThat(jobWidgets).isEqualTo(expected.state);
        assertThat(db.invariantViolations()).isEmpty();

        long successes = all.stream().filter(c -> !c.answer().hasErrors()).count();
        log.info(
                "Drill figures ({}): {} mutations answered ({} succeeded, {} refused: {}), slowest refusal {} ms,"
                        + " last refusal sent at {} ms (database away at {} ms, back at {} ms, up at {} ms); job {}"
                        + " read {} lines before the stop, status after the outage {} ({}), restarted and completed:"
                        + " {}; readiness: {}",
                outage,
                all.size(),
                successes,
                refused.size(),
                refused.stream().collect(Collectors.groupingBy(c -> c.answer().code(), Collectors.counting())),
                slowestRefusal,
                lastRefusalAt,
                stoppedAt,
                startingAt,
                startedAt,
                jobId,
                readBeforeStop,
                failed.status(),
                failed.message(),
                done.counts(),
                probes.stream().filter(p -> p.contains(" 503 ")).count() + " of " + probes.size() + " probes 503");
    }

    private static List<String> rejects(DrillHttp http, long jobId) {
        DrillHttp.Answer report = http.get("/rewiring/jobs/" + jobId + "/rejects");
        assertThat(report.status()).isEqualTo(200);
        return report.body()
                .lines()
                .skip(1)
                .map(row -> {
                    String[] cells = row.split(",", 3);
                    return cells[0] + "," + cells[1];
                })
                .toList();
    }

    /** What an uninterrupted run of the file ends with, by the reference model. */
    private record Expected(
            Path file, long read, long applied, long unchanged, List<String> rejects, Map<String, String> state) {}

    /** Adds, then links and unlinks over random ports of the J widgets; busy ports get rejected. */
    private static Expected rewiringFile(Path file) throws IOException {
        Random random = new Random(11);
        PortType[] ports = PortType.values();
        WiringModel model = new WiringModel();
        Origin origin = Origin.request("model", "model");
        long applied = 0, unchanged = 0;
        List<String> rejects = new ArrayList<>();
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("op,serial_number,port,peer_serial_number,peer_port,name,ports\n");
            for (int n = 0; n < JOB_LINES; n++) {
                WiringOp op;
                if (n < JOB_WIDGETS) {
                    op = new WiringOp.AddWidget("J" + n, "job widget " + n, EnumSet.allOf(PortType.class), origin);
                    out.write("add,J" + n + ",,,,job widget " + n + ",PRQ\n");
                } else {
                    PortRef a = new PortRef("J" + random.nextInt(JOB_WIDGETS), ports[random.nextInt(3)]);
                    PortRef b = new PortRef("J" + random.nextInt(JOB_WIDGETS), ports[random.nextInt(3)]);
                    if (random.nextInt(10) < 7) {
                        op = new WiringOp.LinkPorts(a, b, origin);
                        out.write("link," + a.serialNumber() + "," + a.port() + "," + b.serialNumber() + "," + b.port()
                                + ",,\n");
                    } else {
                        op = new WiringOp.UnlinkPort(a, null, origin);
                        out.write("unlink," + a.serialNumber() + "," + a.port() + ",,,,\n");
                    }
                }
                String outcome = model.apply(op);
                switch (outcome) {
                    case "CHANGED" -> applied++;
                    case "UNCHANGED" -> unchanged++;
                    default -> rejects.add((n + 2) + "," + outcome);
                }
            }
        }
        return new Expected(file, JOB_LINES, applied, unchanged, rejects, model.snapshot());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
