package com.widgets.api.live;

import static com.widgets.db.PortType.P;
import static com.widgets.db.PortType.Q;
import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.api.ApiTest;
import com.widgets.api.GraphQlSockets;
import com.widgets.db.Origin;
import com.widgets.db.PortRef;
import com.widgets.db.WiringStore;
import com.widgets.db.testing.TestApplication;
import com.widgets.db.testing.TestDatabases;
import com.widgets.db.testing.WiringDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.graphql.test.tester.WebSocketGraphQlTester;
import org.springframework.jdbc.core.JdbcTemplate;

/** GraphQL over the WebSocket: queries, and subscriptions that hear changes made elsewhere. */
@ApiTest
class LiveUpdatesTest {

    @Autowired
    WiringStore store;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    ApplicationContext context;

    @LocalServerPort
    int port;

    WebSocketGraphQlTester ws;

    @BeforeEach
    void connect() {
        // subscriptions of earlier tests end as their sockets close; counts below start from none
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Subscribers.active(context) == 0);
        new WiringDatabase(jdbc).reset();
        ws = GraphQlSockets.connect(port);
    }

    @AfterEach
    void disconnect() {
        GraphQlSockets.close(ws);
    }

    @Test
    void answersQueriesAndMutationsOverTheWebSocket() {
        ws.document("mutation { addWidget(input: {serialNumber: \"WS-1\", name: \"ws\", ports: [P]}) { changed } }")
                .execute()
                .path("addWidget.changed")
                .entity(Boolean.class)
                .isEqualTo(true);
        ws.document("{ widget(serialNumber: \"WS-1\") { name } }")
                .execute()
                .path("widget.name")
                .entity(String.class)
                .isEqualTo("ws");
    }

    @Test
    void anAdminsWebSocketMayNameTheActorInItsConnectionInitPayload() {
        Map<String, Map<String, Object>> payloads = Map.of(
                "WS-A1", Map.of("actor", "carol"),
                "WS-A2", Map.of("headers", Map.of("X-Actor", "dave")),
                "WS-A4", Map.of());
        for (Map.Entry<String, Map<String, Object>> each : payloads.entrySet()) {
            WebSocketGraphQlTester socket = GraphQlSockets.connect(port, each.getValue());
            try {
                socket.document("mutation { addWidget(input: {serialNumber: \"" + each.getKey()
                                + "\", name: \"ws\", ports: [P]}) { changed } }")
                        .execute()
                        .path("addWidget.changed")
                        .entity(Boolean.class)
                        .isEqualTo(true);
            } finally {
                GraphQlSockets.close(socket);
            }
        }

        assertThat(actorOf("WS-A1")).isEqualTo("carol");
        assertThat(actorOf("WS-A2")).isEqualTo("dave");
        // without one the actor is the token's subject: the admin token's is "admin"
        assertThat(actorOf("WS-A4")).isEqualTo("admin");
    }

    @Test
    void aTooLongActorInTheConnectionInitPayloadIsAnErrorNamingIt() {
        WebSocketGraphQlTester socket = GraphQlSockets.connect(port, Map.of("actor", "x".repeat(129)));
        try {
            socket.document(
                            "mutation { addWidget(input: {serialNumber: \"WS-B1\", name: \"ws\", ports: [P]}) { changed } }")
                    .execute()
                    .errors()
                    .satisfy(errors -> assertThat(errors)
                            .singleElement()
                            .satisfies(error -> assertThat(error.getMessage()).contains("X-Actor")));
            assertThat(store.widget("WS-B1")).as("nothing written").isEmpty();
        } finally {
            GraphQlSockets.close(socket);
        }
    }

    private String actorOf(String serial) {
        return store.history(serial, null, 1).get(0).origin().actor();
    }

    @Test
    void aSubscriberHearsChangesCommittedByAnotherApplicationSharingTheDatabase() throws Exception {
        long before = Subscribers.count(context);
        CompletableFuture<List<String>> heard = ws.documentName("wiringChanged")
                .variable("serialNumbers", List.of("OTHER-1"))
                .executeSubscription()
                .toFlux("wiringChanged", Map.class)
                .map(event -> event.get("type") + " " + event.get("serialNumber") + " by "
                        + ((Map<?, ?>) event.get("origin")).get("actor"))
                .take(2)
                .collectList()
                .toFuture();
        Subscribers.awaitAtLeast(context, before + 1);

        // A second application — another replica or a batch job — with its own store and connection pool, sharing
        // only the database: the change reaches this one through the history it reads, not through memory.
        SpringApplication other = new SpringApplication(TestApplication.class);
        other.setWebApplicationType(WebApplicationType.NONE);
        List<String> args = new ArrayList<>(TestDatabases.sameDatabaseArgs(context.getEnvironment()));
        args.addAll(
                List.of(
                        "--spring.datasource.hikari.maximum-pool-size=2",
                        "--spring.main.banner-mode=off",
                        // the db module's bare application: just the store, no GraphQL of its own
                        "--spring.autoconfigure.exclude=org.springframework.boot.graphql.autoconfigure.GraphQlAutoConfiguration"));
        try (ConfigurableApplicationContext replica = other.run(args.toArray(String[]::new))) {
            WiringStore otherStore = replica.getBean(WiringStore.class);
            assertThat(otherStore).isNotSameAs(store);
            Origin job = Origin.request("other-replica", "r-1");
            otherStore.addWidget("OTHER-2", "not watched", Set.of(Q), job);
            otherStore.addWidget("OTHER-1", "watched", Set.of(P), job);
            otherStore.link(new PortRef("OTHER-1", P), new PortRef("OTHER-2", Q), job);
        }

        assertThat(heard.get(10, TimeUnit.SECONDS))
                .containsExactly("ADDED OTHER-1 by other-replica", "LINKED OTHER-1 by other-replica");
    }

    private static final String WATCH = """
            subscription Watch($serials: [ID!], $after: String) {
              wiringChanged(serialNumbers: $serials, after: $after) { id serialNumber type cursor }
            }""";

    /** Every history row of these widgets, as "serial#id". */
    private List<String> historyOf(List<String> serials) {
        return jdbc.queryForList(
                "SELECT serial_number || '#' || id FROM wiring_history WHERE serial_number = ANY(?) ORDER BY id",
                String.class,
                (Object) serials.toArray(String[]::new));
    }

    private static String key(Map<?, ?> event) {
        return event.get("serialNumber") + "#" + event.get("id");
    }

    @Test
    void noChangeIsMissedOrRepeatedWhileManyWritersRewireAtOnceAndOneTransactionCommitsLate() throws Exception {
        List<String> serials = new ArrayList<>();
        Origin setup = Origin.request("t", "t");
        for (int i = 0; i < 16; i++) {
            store.addWidget("MW-" + i, "w", Set.of(P, Q), setup);
            serials.add("MW-" + i);
        }
        store.addWidget("MW-OTHER", "not watched", Set.of(P, Q), setup);
        Set<String> before = new java.util.HashSet<>(historyOf(serials));
        long subscribers = Subscribers.count(context);
        List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        var subscription = ws.document(WATCH)
                .variable("serials", serials)
                .executeSubscription()
                .toFlux("wiringChanged", Map.class)
                .subscribe(event -> heard.add(key(event)), ended::complete);
        try {
            Subscribers.awaitAtLeast(context, subscribers + 1);
            java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
            java.util.concurrent.ExecutorService writers = java.util.concurrent.Executors.newFixedThreadPool(6);
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (int w = 0; w < 5; w++) {
                done.add(writers.submit(() -> {
                    java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
                    // at most 80 operations each: the events stay below the subscriber buffer on any machine
                    for (int op = 0; op < 80 && writing.get(); op++) {
                        PortRef a = new PortRef("MW-" + random.nextInt(16), P);
                        PortRef b = new PortRef(random.nextInt(8) == 0 ? "MW-OTHER" : "MW-" + random.nextInt(16), Q);
                        try {
                            if (random.nextBoolean()) {
                                store.link(a, b, setup);
                            } else {
                                store.unlink(a, null, setup);
                            }
                        } catch (com.widgets.db.WiringException refused) {
                            // busy ports, self links: the rules refuse some, which is fine here
                        }
                    }
                    return null;
                }));
            }
            // a transaction that takes its history id and time early and commits after many others
            done.add(writers.submit(() -> {
                for (int i = 0; i < 4 && writing.get(); i++) {
                    try (java.sql.Connection slow = jdbc.getDataSource().getConnection()) {
                        slow.setAutoCommit(false);
                        try (var insert =
                                slow.prepareStatement("INSERT INTO wiring_history (serial_number, event, name,"
                                        + " actor) VALUES ('MW-0', 'REMOVED', 'late', 'late-writer')")) {
                            insert.executeUpdate();
                        }
                        Thread.sleep(600);
                        slow.commit();
                    }
                }
                return null;
            }));
            Thread.sleep(3000);
            writing.set(false);
            for (var writer : done) {
                writer.get(30, TimeUnit.SECONDS);
            }
            writers.shutdown();
            List<String> expected = historyOf(serials).stream()
                    .filter(row -> !before.contains(row))
                    .toList();
            assertThat(expected).hasSizeGreaterThan(50).anyMatch(row -> row.startsWith("MW-0#"));
            try {
                org.awaitility.Awaitility.await()
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> heard.size() >= expected.size() || ended.isDone());
            } catch (org.awaitility.core.ConditionTimeoutException slow) {
                // the assertions below say what is missing
            }
            assertThat(ended).as("the subscription is still open").isNotDone();
            Thread.sleep(300); // nothing more may come
            // a new subscription may also get changes committed a moment before it started (the widgets' ADDED)
            assertThat(heard).doesNotHaveDuplicates();
            assertThat(heard.stream().filter(row -> !before.contains(row)).toList())
                    .containsExactlyInAnyOrderElementsOf(expected);
        } finally {
            subscription.dispose();
        }
    }

    @Test
    void aResumedSubscriptionFirstGetsWhatItMissedThenTheLiveChanges() throws Exception {
        Origin setup = Origin.request("t", "t");
        store.addWidget("RS-1", "w", Set.of(P, Q), setup);
        store.addWidget("RS-2", "w", Set.of(P, Q), setup);
        long subscribers = Subscribers.count(context);
        CompletableFuture<Map> first = firstLinked(ws, "RS-1");
        Subscribers.awaitAtLeast(context, subscribers + 1);
        store.link(new PortRef("RS-1", P), new PortRef("RS-2", Q), setup);
        Map<?, ?> got = first.get(10, TimeUnit.SECONDS);
        String cursor = (String) got.get("cursor");
        assertThat(cursor).isNotBlank();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> Subscribers.active(context) == 0);

        // while nobody listens
        store.unlink(new PortRef("RS-1", P), null, setup);
        store.link(new PortRef("RS-1", Q), new PortRef("RS-2", P), setup);
        store.link(new PortRef("RS-2", Q), new PortRef("RS-1", P), setup); // RS-1's P again

        List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        var resumed = ws.document(WATCH)
                .variable("serials", List.of("RS-1"))
                .variable("after", cursor)
                .executeSubscription()
                .toFlux("wiringChanged", Map.class)
                .subscribe(event -> heard.add(event.get("type") + " " + key(event)));
        try {
            Subscribers.awaitAtLeast(context, subscribers + 1);
            store.unlink(new PortRef("RS-1", Q), null, setup); // live, after the replay
            List<String> rs1 = historyOf(List.of("RS-1"));
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> heard.stream()
                            .map(e -> e.substring(e.indexOf(' ') + 1))
                            .toList()
                            .containsAll(rs1.subList(2, rs1.size())));
            Thread.sleep(300);
            // resuming may repeat changes from up to the cursor's event (never skip one): what came after it arrives
            // exactly once, in order
            long gotId = Long.parseLong(got.get("id").toString());
            List<String> types = heard.stream()
                    .filter(e -> Long.parseLong(e.substring(e.indexOf('#') + 1)) > gotId)
                    .map(e -> e.substring(0, e.indexOf(' ')))
                    .toList();
            assertThat(types).containsExactly("UNLINKED", "LINKED", "LINKED", "UNLINKED");
            assertThat(heard).doesNotHaveDuplicates();
        } finally {
            resumed.dispose();
        }
    }

    @Test
    void aSubscriberWhoseReplicaWentAwayResumesOnARestartedReplicaMissingNothing() throws Exception {
        Origin setup = Origin.request("t", "t");
        store.addWidget("RR-1", "w", Set.of(P, Q), setup);
        store.addWidget("RR-2", "w", Set.of(P, Q), setup);
        String cursor;
        long seenId;
        // a replica of its own: the subscriber's events come from its feed, then the whole replica goes away
        try (ConfigurableApplicationContext replica = webReplica()) {
            WebSocketGraphQlTester there = GraphQlSockets.connect(port(replica));
            try {
                CompletableFuture<Map> first = firstLinked(there, "RR-1");
                Subscribers.awaitAtLeast(replica, 1);
                store.link(new PortRef("RR-1", P), new PortRef("RR-2", Q), setup);
                Map<?, ?> got = first.get(10, TimeUnit.SECONDS);
                cursor = (String) got.get("cursor");
                seenId = Long.parseLong(got.get("id").toString());
            } finally {
                GraphQlSockets.close(there);
            }
        }
        // while no replica is up for it
        store.unlink(new PortRef("RR-1", P), null, setup);
        store.link(new PortRef("RR-1", Q), new PortRef("RR-2", P), setup);
        store.link(new PortRef("RR-2", Q), new PortRef("RR-1", P), setup);

        // the replica restarted: a new process with a feed that has seen none of it
        try (ConfigurableApplicationContext restarted = webReplica()) {
            WebSocketGraphQlTester there = GraphQlSockets.connect(port(restarted));
            List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
            var resumed = there.document(WATCH)
                    .variable("serials", List.of("RR-1"))
                    .variable("after", cursor)
                    .executeSubscription()
                    .toFlux("wiringChanged", Map.class)
                    .subscribe(event -> heard.add(key(event)));
            try {
                Subscribers.awaitAtLeast(restarted, 1);
                store.unlink(new PortRef("RR-1", Q), null, setup); // live, after the replay
                // every change of RR-1 after the one the subscriber had seen, from the history itself
                List<String> owed = historyOf(List.of("RR-1")).stream()
                        .filter(row -> Long.parseLong(row.substring(row.indexOf('#') + 1)) > seenId)
                        .toList();
                assertThat(owed).hasSize(4);
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> heard.containsAll(owed));
                Thread.sleep(300);
                // the replay may repeat the event at the cursor (never skip one); after it, each exactly once, in order
                assertThat(heard.stream()
                                .filter(row -> Long.parseLong(row.substring(row.indexOf('#') + 1)) > seenId)
                                .toList())
                        .containsExactlyElementsOf(owed);
            } finally {
                resumed.dispose();
                GraphQlSockets.close(there);
            }
        }
    }

    /** The first LINKED event of {@code serial} a new subscription over {@code tester} receives. */
    private static CompletableFuture<Map> firstLinked(WebSocketGraphQlTester tester, String serial) {
        return tester.document(WATCH)
                .variable("serials", List.of(serial))
                .executeSubscription()
                .toFlux("wiringChanged", Map.class)
                .filter(event -> "LINKED".equals(event.get("type")))
                .next()
                .toFuture();
    }

    /** Another whole replica of the service (web server on a random port) on this test's database. */
    private ConfigurableApplicationContext webReplica() {
        SpringApplication replica = new SpringApplication(com.widgets.api.WidgetsApiApplication.class);
        List<String> args = new ArrayList<>(TestDatabases.sameDatabaseArgs(context.getEnvironment()));
        args.addAll(List.of(
                "--server.port=0",
                "--spring.main.banner-mode=off",
                "--spring.datasource.hikari.maximum-pool-size=4",
                "--spring.datasource.hikari.minimum-idle=1"));
        return replica.run(args.toArray(String[]::new));
    }

    private static int port(ConfigurableApplicationContext replica) {
        return Integer.parseInt(replica.getEnvironment().getProperty("local.server.port"));
    }

    @Test
    void aBadCursorIsRefusedNamingAfter() {
        CompletableFuture<Void> refused = ws.document(WATCH)
                .variable("after", "not-a-cursor")
                .executeSubscription()
                .toFlux()
                .then()
                .toFuture();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> refused.get(10, TimeUnit.SECONDS))
                .hasMessageContaining("after");
    }

    @Test
    void whenTheFeedsConnectionDiesSubscribersWaitAndMissNothing() throws Exception {
        Origin setup = Origin.request("t", "t");
        long subscribers = Subscribers.count(context);
        List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        var subscription = ws.document(WATCH)
                .variable("serials", List.of("KILL-1", "KILL-2", "KILL-3", "KILL-4"))
                .executeSubscription()
                .toFlux("wiringChanged.serialNumber", String.class)
                .subscribe(heard::add, ended::complete, () -> ended.complete(null));
        try {
            Subscribers.awaitAtLeast(context, subscribers + 1);
            store.addWidget("KILL-1", "before", Set.of(P), setup);
            // this service's feed session only: other test contexts on the same database hold feeds of their own
            HistoryFeed feed = context.getBean(HistoryFeed.class);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> feed.session() != 0);
            int killed = feed.session();
            assertThat(jdbc.queryForList(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                                    + " WHERE pid = ? AND application_name = ?",
                            Boolean.class,
                            killed,
                            "widgets-api live feed"))
                    .containsExactly(true);
            store.addWidget("KILL-2", "during", Set.of(P), setup);
            Thread.sleep(300);
            store.addWidget("KILL-3", "during", Set.of(P), setup);
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(15))
                    .until(() -> feed.session() != 0 && feed.session() != killed);
            store.addWidget("KILL-4", "after", Set.of(P), setup);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> heard.size() >= 4);
            assertThat(heard).containsExactly("KILL-1", "KILL-2", "KILL-3", "KILL-4");
            assertThat(ended).isNotDone();
        } finally {
            subscription.dispose();
        }
    }

    @Test
    void aConnectionOverItsSubscriptionLimitIsRefusedAndTheOthersKeepGoing() throws Exception {
        int limit = 20; // widgets.live.max-subscriptions-per-connection in the tests' settings
        List<reactor.core.Disposable> open = new ArrayList<>();
        long subscribers = Subscribers.count(context);
        try {
            for (int i = 0; i < limit; i++) {
                open.add(ws.document(WATCH)
                        .variable("serials", List.of("LIM-" + i))
                        .executeSubscription()
                        .toFlux()
                        .subscribe());
            }
            Subscribers.awaitAtLeast(context, subscribers + limit);
            CompletableFuture<Void> refused = ws.document(WATCH)
                    .variable("serials", List.of("LIM-X"))
                    .executeSubscription()
                    .toFlux()
                    .then()
                    .toFuture();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> refused.get(10, TimeUnit.SECONDS))
                    .hasMessageContaining("widgets.live.max-subscriptions-per-connection");
            // another connection is not held to this one's limit
            WebSocketGraphQlTester other = GraphQlSockets.connect(port);
            try {
                CompletableFuture<String> next = other.document(WATCH)
                        .variable("serials", List.of("LIM-0"))
                        .executeSubscription()
                        .toFlux("wiringChanged.serialNumber", String.class)
                        .next()
                        .toFuture();
                Subscribers.awaitAtLeast(context, subscribers + limit + 1);
                store.addWidget("LIM-0", "w", Set.of(P), Origin.request("t", "t"));
                assertThat(next.get(10, TimeUnit.SECONDS)).isEqualTo("LIM-0");
            } finally {
                GraphQlSockets.close(other);
            }
        } finally {
            open.forEach(reactor.core.Disposable::dispose);
        }
    }
}
