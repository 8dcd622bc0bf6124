package com.widgets.api.live;

import static com.widgets.db.PortType.P;
import static com.widgets.db.PortType.Q;
import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.api.ApiTest;
import com.widgets.api.GraphQlSockets;
import com.widgets.db.Origin;
import com.widgets.db.PortRef;
import com.widgets.db.WiringStore;
import com.widgets.db.testing.WiringDatabase;
import graphql.ExecutionResult;
import graphql.execution.instrumentation.ChainedInstrumentation;
import graphql.execution.instrumentation.Instrumentation;
import graphql.execution.instrumentation.InstrumentationContext;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.SimpleInstrumentationContext;
import graphql.execution.instrumentation.SimplePerformantInstrumentation;
import graphql.execution.instrumentation.parameters.InstrumentationExecuteOperationParameters;
import graphql.execution.instrumentation.parameters.InstrumentationExecutionParameters;
import graphql.execution.instrumentation.parameters.InstrumentationFieldParameters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.graphql.test.tester.WebSocketGraphQlTester;
import org.springframework.jdbc.core.JdbcTemplate;
import reactor.core.Disposable;
import tools.jackson.databind.json.JsonMapper;

/** Subscribers asking for the same selection share one execution per change; each still gets its own payload. */
@ApiTest
class OncePerChangeTest {

    /** The plain selection, as most clients of one kind send it. */
    private static final String PLAIN = "subscription { wiringChanged { id serialNumber type } }";
    /** The same fields through a fragment, under an alias of the subscription field: the same selection. */
    private static final String FRAGMENT = """
            subscription Aliased { changes: wiringChanged { ...Fields } }
            fragment Fields on WiringEvent { id serialNumber type }""";
    /** The same once {@code @include} is resolved with {@code false}; another selection with {@code true}. */
    private static final String INCLUDE = """
            subscription Include($cursor: Boolean!) {
              wiringChanged { id serialNumber type cursor @include(if: $cursor) }
            }""";
    /** An alias inside the selection: another selection. */
    private static final String ALIAS = "subscription { wiringChanged { id sn: serialNumber type } }";
    /** Other fields, nested ones too: another selection. */
    private static final String OTHER = """
            subscription { wiringChanged { type id peer { serialNumber port } origin { actor } } }""";

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
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Subscribers.active(context) == 0);
        new WiringDatabase(jdbc).reset();
        ws = GraphQlSockets.connect(port);
    }

    @AfterEach
    void disconnect() {
        GraphQlSockets.close(ws);
    }

    private record Heard(String name, List<Map<String, Object>> events, List<Throwable> errors) {}

    @Test
    void aChangeIsExecutedOncePerSelectionAndEverySubscriberGetsThePayloadItAskedFor() {
        OncePerChange once = context.getBean(OncePerChange.class);
        List<Heard> plain = new ArrayList<>();
        List<Heard> all = new ArrayList<>();
        List<Disposable> subscriptions = new ArrayList<>();
        long registered = Subscribers.count(context);
        long directBefore = once.direct();
        for (int i = 0; i < 6; i++) {
            plain.add(subscribe(PLAIN, "wiringChanged", Map.of(), subscriptions));
        }
        Heard fragment = subscribe(FRAGMENT, "changes", Map.of(), subscriptions);
        Heard without = subscribe(INCLUDE, "wiringChanged", Map.of("cursor", false), subscriptions);
        Heard with = subscribe(INCLUDE, "wiringChanged", Map.of("cursor", true), subscriptions);
        Heard alias = subscribe(ALIAS, "wiringChanged", Map.of(), subscriptions);
        Heard other = subscribe(OTHER, "wiringChanged", Map.of(), subscriptions);
        all.addAll(plain);
        all.addAll(List.of(fragment, without, with, alias, other));
        try {
            Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> Subscribers.count(context) >= registered + all.size()
                            || all.stream().anyMatch(heard -> !heard.errors().isEmpty()));
            assertThat(all)
                    .allSatisfy(
                            heard -> assertThat(heard.errors()).as(heard.name()).isEmpty());
            // every selection here can be shared: each subscription skips graphql-java's per-event mapping
            assertThat(once.direct() - directBefore).isEqualTo(all.size());
            long executedBefore = once.executed();
            long sharedBefore = once.shared();

            Origin origin = Origin.request("once", "r-1");
            store.addWidget("OPC-1", "w", Set.of(P), origin);
            store.addWidget("OPC-2", "w", Set.of(Q), origin);
            store.link(new PortRef("OPC-1", P), new PortRef("OPC-2", Q), origin);
            List<Map<String, Object>> history =
                    jdbc.queryForList("SELECT id, serial_number, event AS type FROM wiring_history ORDER BY id");
            int changes = history.size();
            assertThat(changes).isGreaterThanOrEqualTo(4);
            Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> all.stream().allMatch(heard -> heard.events().size() >= changes));

            for (Heard heard : all) {
                assertThat(heard.events()).as(heard.name()).hasSize(changes);
                for (int i = 0; i < changes; i++) {
                    Map<String, Object> event = heard.events().get(i);
                    Map<String, Object> row = history.get(i);
                    assertThat(String.valueOf(event.get("id"))).isEqualTo(String.valueOf(row.get("id")));
                    assertThat(event.get("type")).isEqualTo(row.get("type"));
                }
            }
            for (Heard heard : plain) {
                assertThat(heard.events()).isEqualTo(plain.get(0).events());
            }
            assertThat(fragment.events()).isEqualTo(plain.get(0).events());
            assertThat(without.events()).isEqualTo(plain.get(0).events());
            assertThat(plain.get(0).events())
                    .allSatisfy(event -> assertThat(event.keySet()).containsExactly("id", "serialNumber", "type"));
            assertThat(with.events()).allSatisfy(event -> {
                assertThat(event.keySet()).containsExactly("id", "serialNumber", "type", "cursor");
                assertThat((String) event.get("cursor")).isNotBlank();
            });
            assertThat(alias.events())
                    .allSatisfy(event -> assertThat(event.keySet()).containsExactly("id", "sn", "type"));
            assertThat(alias.events())
                    .extracting(event -> event.get("sn"))
                    .isEqualTo(plain.get(0).events().stream()
                            .map(event -> event.get("serialNumber"))
                            .toList());
            assertThat(other.events()).allSatisfy(event -> {
                assertThat(event.keySet()).containsExactly("type", "id", "peer", "origin");
                assertThat(event.get("origin")).isEqualTo(Map.of("actor", "once"));
            });
            assertThat(other.events())
                    .filteredOn(event -> "LINKED".equals(event.get("type")))
                    .extracting(event -> event.get("peer"))
                    .containsExactlyInAnyOrder(
                            Map.of("serialNumber", "OPC-2", "port", "Q"), Map.of("serialNumber", "OPC-1", "port", "P"));

            // four selections: plain (also through the fragment and with the cursor left out), with the cursor, with
            // an alias, other fields — each executed once per change; the other seven subscribers took a result
            int selections = 4;
            assertThat(once.executed() - executedBefore).isEqualTo((long) changes * selections);
            assertThat(once.shared() - sharedBefore).isEqualTo((long) changes * (all.size() - selections));
        } finally {
            subscriptions.forEach(Disposable::dispose);
        }
    }

    @Test
    void subscriptionsAreMappedByGraphQlJavaWhenAnInstrumentationHasPerEventHooks() {
        Instrumentation quiet = new SimplePerformantInstrumentation() {
            @Override
            public InstrumentationContext<ExecutionResult> beginExecuteOperation(
                    InstrumentationExecuteOperationParameters parameters, InstrumentationState state) {
                return SimpleInstrumentationContext.noOp();
            }
        };
        Instrumentation perEvent = new SimplePerformantInstrumentation() {
            @Override
            public CompletableFuture<ExecutionResult> instrumentExecutionResult(
                    ExecutionResult result, InstrumentationExecutionParameters parameters, InstrumentationState state) {
                return CompletableFuture.completedFuture(result);
            }
        };
        Instrumentation subscribedField = new Instrumentation() {
            @Override
            public InstrumentationContext<ExecutionResult> beginSubscribedFieldEvent(
                    InstrumentationFieldParameters parameters, InstrumentationState state) {
                return SimpleInstrumentationContext.noOp();
            }
        };
        assertThat(OncePerChangeStrategy.perEventHooks(quiet)).isFalse();
        assertThat(OncePerChangeStrategy.perEventHooks(new ChainedInstrumentation(quiet, quiet)))
                .isFalse();
        assertThat(OncePerChangeStrategy.perEventHooks(perEvent)).isTrue();
        assertThat(OncePerChangeStrategy.perEventHooks(subscribedField)).isTrue();
        assertThat(OncePerChangeStrategy.perEventHooks(new ChainedInstrumentation(quiet, perEvent)))
                .isTrue();
        // and the service's JSON mapper lets each shared message be framed around the shared text
        assertThat(new NextMessages(context.getBean(JsonMapper.class)).framed()).isTrue();
        // the service's own instrumentations have none
        assertThat(context.getBeansOfType(Instrumentation.class).values())
                .allSatisfy(each -> assertThat(OncePerChangeStrategy.perEventHooks(each))
                        .as(each.getClass().getName())
                        .isFalse());
    }

    private Heard subscribe(String document, String field, Map<String, Object> variables, List<Disposable> open) {
        List<Map<String, Object>> events = new CopyOnWriteArrayList<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        var request = ws.document(document);
        for (Map.Entry<String, Object> variable : variables.entrySet()) {
            request = request.variable(variable.getKey(), variable.getValue());
        }
        open.add(request.executeSubscription()
                .toFlux(field, Map.class)
                .subscribe(event -> events.add(new LinkedHashMap<String, Object>(event)), errors::add));
        return new Heard(document + " " + variables, events, errors);
    }
}
