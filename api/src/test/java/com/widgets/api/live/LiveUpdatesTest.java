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
        int before = Subscribers.count(context);
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
        // only the database: the change reaches this one through PostgreSQL NOTIFY, not through memory.
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

    @Test
    void whenTheListeningConnectionDiesSubscribersAreToldAndTheListenerReconnects() throws Exception {
        int before = Subscribers.count(context);
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        ws.documentName("wiringChanged")
                .executeSubscription()
                .toFlux("wiringChanged.type", String.class)
                .subscribe(type -> {}, ended::complete, () -> ended.complete(null));
        Subscribers.awaitAtLeast(context, before + 1);

        jdbc.queryForList(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ?",
                "widgets-api wiring listener");

        assertThat(ended.get(10, TimeUnit.SECONDS)).hasMessageContaining("LIVE_UPDATES_INTERRUPTED");

        // Back after a short back-off: a new subscription hears the next change.
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(15))
                .ignoreExceptions()
                .untilAsserted(() -> {
                    CompletableFuture<String> next = ws.documentName("wiringChanged")
                            .executeSubscription()
                            .toFlux("wiringChanged.serialNumber", String.class)
                            .next()
                            .toFuture();
                    Thread.sleep(300);
                    store.addWidget("AGAIN-" + System.nanoTime(), "again", Set.of(P), Origin.request("t", "t"));
                    assertThat(next.get(2, TimeUnit.SECONDS)).startsWith("AGAIN-");
                });
    }
}
