package com.widgets.api.drill;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.db.Origin;
import com.widgets.db.PortType;
import com.widgets.db.WiringStore;
import com.widgets.db.embedded.EmbeddedPostgresServer;
import com.widgets.db.testing.WiringDatabase;
import java.lang.management.ManagementFactory;
import java.net.http.HttpRequest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Overload: 1,000 clients at once against a pool of 20 connections, while a transaction outside the service holds
 * the rows the writes need for 4 s (a database that has slowed down), so the pool is all in use. Every request is
 * answered — none waits for a connection longer than the pool's wait (2 s here), then gets {@code BUSY} (GraphQL, or
 * 503 with {@code Retry-After} over REST) — with no deadlock and the heap back where it was; once the load drops the
 * service answers as fast as before.
 */
@Drill
class OverloadDrillTest {

    private static final Logger log = LoggerFactory.getLogger(OverloadDrillTest.class);
    private static final int CLIENTS = 1_000;
    private static final int WIDGETS = 100;
    private static final long HOLD_MILLIS = 4_000;

    @Autowired
    WiringStore store;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    EmbeddedPostgresServer server;

    @LocalServerPort
    int port;

    @Test
    void aThousandClientsOnTwentyConnectionsGetAnswersOrBusyAndServiceResumes() throws Exception {
        WiringDatabase db = new WiringDatabase(jdbc);
        db.reset();
        Origin setup = Origin.request("drill", "setup");
        for (int i = 0; i < WIDGETS; i++) {
            store.addWidget("O-" + i, "overload " + i, EnumSet.allOf(PortType.class), setup);
        }
        DrillHttp http = new DrillHttp(port);
        long baseline = medianMillis(http, 30);
        long deadlocksBefore = deadlocks(db);
        long heapBefore = heapAfterGc();
        int threadsBefore = Thread.activeCount();

        List<DrillHttp.Answer> answers = Collections.synchronizedList(new ArrayList<>());
        List<String> kinds = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            Thread thread = new Thread(
                    () -> {
                        try {
                            go.await();
                        } catch (InterruptedException e) {
                            return;
                        }
                        String a = "O-" + (client % WIDGETS), b = "O-" + ((client * 7 + 1) % WIDGETS);
                        DrillHttp.Answer answer;
                        String kind;
                        if (client % 10 == 0) {
                            kind = "REST add";
                            answer = http.send(http.request("/widgets")
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString("{\"serial_number\": \"REST-" + client
                                            + "\", \"name\": \"rest\", \"ports\": [\"P\"]}")));
                        } else if (client % 2 == 0) {
                            kind = "GraphQL query";
                            answer = http.graphQl("{ widget(serialNumber: \"" + a + "\") { name ports { type } } }");
                        } else {
                            kind = "GraphQL link";
                            answer = http.graphQl("mutation { link(input: {a: {serialNumber: \"" + a
                                    + "\", port: R}, b: {serialNumber: \"" + b + "\", port: Q}}) { changed } }");
                        }
                        answers.add(answer);
                        kinds.add(kind + " " + outcome(answer));
                    },
                    "overload-client-" + c);
            thread.setDaemon(true);
            thread.start();
            clients.add(thread);
        }

        long heapUnderLoad;
        int threadsUnderLoad;
        try (Connection holder = DriverManager.getConnection(server.jdbcUrl());
                Statement hold = holder.createStatement()) {
            holder.setAutoCommit(false);
            hold.execute("SELECT * FROM port WHERE serial_number LIKE 'O-%' FOR UPDATE");
            go.countDown();
            Thread.sleep(HOLD_MILLIS);
            heapUnderLoad = heapUsed();
            threadsUnderLoad = Thread.activeCount();
            holder.rollback();
        }
        long released = System.nanoTime();
        for (Thread client : clients) {
            client.join(120_000);
            assertThat(client.isAlive())
                    .as("a client still waiting 2 minutes after the load")
                    .isFalse();
        }
        long drained = (System.nanoTime() - released) / 1_000_000;

        assertThat(answers).hasSize(CLIENTS);
        assertThat(answers).allSatisfy(answer -> {
            assertThat(answer.status()).as(answer.body()).isIn(200, 201, 503);
            assertThat(answer.showsInsides()).as(answer.body()).isFalse();
            if (answer.status() == 503) {
                assertThat(answer.code()).isEqualTo("BUSY");
                assertThat(answer.retryAfter()).isEqualTo("1");
            }
            if (answer.hasErrors()) {
                assertThat(answer.code()).as(answer.body()).isIn("BUSY", "PORT_BUSY", "SELF_LINK");
            }
        });
        Map<String, Long> outcomes =
                kinds.stream().collect(Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.counting()));
        assertThat(answers.stream().filter(a -> "BUSY".equals(a.code())).count())
                .as("with every connection held, some are told BUSY: %s", outcomes)
                .isPositive();
        assertThat(outcomes.keySet()).anyMatch(kind -> kind.startsWith("REST add 503 BUSY"));
        long slowest =
                answers.stream().mapToLong(DrillHttp.Answer::millis).max().orElseThrow();
        long slowestBusy = answers.stream()
                .filter(a -> "BUSY".equals(a.code()))
                .mapToLong(DrillHttp.Answer::millis)
                .max()
                .orElseThrow();

        // No deadlock, sound wiring, memory and threads back, and normal service again.
        assertThat(deadlocks(db)).isEqualTo(deadlocksBefore);
        assertThat(db.invariantViolations()).isEmpty();
        assertThat(db.replayHistory()).isEqualTo(db.snapshot());
        long after = medianMillis(http, 30);
        assertThat(after).as("median after the load vs %d ms before", baseline).isLessThan(baseline * 5 + 100);
        long heapAfter = heapAfterGc();
        assertThat(heapAfter - heapBefore)
                .as("heap kept after the load (bytes)")
                .isLessThan(128L << 20);

        log.info(
                "Drill figures: {} clients, pool {}, wait {} ms, rows held {} ms: {}; slowest answer {} ms, slowest"
                        + " BUSY {} ms, all answered {} ms after the rows were released; median before {} ms, after"
                        + " {} ms; heap after GC {} MB before, {} MB used under load, {} MB after; JVM threads {}"
                        + " before, {} under load; deadlocks {}",
                CLIENTS,
                Drill.POOL,
                Drill.CONNECTION_TIMEOUT_MILLIS,
                HOLD_MILLIS,
                outcomes,
                slowest,
                slowestBusy,
                drained,
                baseline,
                after,
                heapBefore >> 20,
                heapUnderLoad >> 20,
                heapAfter >> 20,
                threadsBefore,
                threadsUnderLoad,
                deadlocks(db) - deadlocksBefore);
    }

    private static String outcome(DrillHttp.Answer answer) {
        String code = answer.code();
        return answer.status() + (code == null ? " ok" : " " + code);
    }

    private static long medianMillis(DrillHttp http, int n) {
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            DrillHttp.Answer answer = http.graphQl("{ widget(serialNumber: \"O-" + i + "\") { name } }");
            assertThat(answer.hasErrors()).as(answer.body()).isFalse();
            times.add(answer.millis());
        }
        Collections.sort(times);
        return times.get(n / 2);
    }

    private static long deadlocks(WiringDatabase db) throws InterruptedException {
        Thread.sleep(1500); // the statistics collector reports with a delay
        return db.count("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()");
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long heapAfterGc() throws InterruptedException {
        System.gc();
        Thread.sleep(200);
        return heapUsed();
    }
}
