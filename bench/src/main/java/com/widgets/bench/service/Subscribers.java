package com.widgets.bench.service;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.springframework.graphql.client.ClientGraphQlResponse;
import org.springframework.graphql.client.WebSocketGraphQlClient;
import org.springframework.graphql.client.WebSocketGraphQlClientInterceptor;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * {@code wiringChanged} subscribers over graphql-ws (graphql-transport-ws), as consoles hold them: Spring's {@link
 * WebSocketGraphQlClient}, one per WebSocket connection, signed in with the admin token in {@code connection_init},
 * all on one Reactor Netty event loop. Each subscription keeps what it received (event id, the request id of the
 * change, the moment it arrived) for the harness to check against the history afterwards.
 */
public final class Subscribers implements AutoCloseable {

    /** What a subscriber selects: enough to resume ({@code id}, {@code cursor}) and to match the change's request. */
    private static final String DOCUMENT = """
            subscription($s: [ID!]) {
              wiringChanged(serialNumbers: $s) {
                id at serialNumber type port peer { serialNumber port } origin { requestId } cursor
              }
            }""";

    /** One event as a subscriber got it: {@code nanos} is {@link System#nanoTime()} on arrival. */
    public record Receipt(long id, String requestId, long nanos) {}

    /** One subscription: the widgets it watches (null: all) and what it got. */
    public static final class Subscription {
        private final List<String> serials;
        private final List<Receipt> receipts = Collections.synchronizedList(new ArrayList<>());
        private volatile Throwable error;
        private volatile boolean completed;

        private Subscription(List<String> serials) {
            this.serials = serials;
        }

        public List<String> serials() {
            return serials;
        }

        public List<Receipt> receipts() {
            return receipts;
        }

        /** The error that ended it (SLOW_SUBSCRIBER, TOO_MANY_SUBSCRIPTIONS, a closed socket), or null. */
        public Throwable error() {
            return error;
        }

        public boolean completed() {
            return completed;
        }

        private void next(ClientGraphQlResponse response) {
            long now = System.nanoTime();
            Map<String, Object> data = response.getData();
            if (data == null || !(data.get("wiringChanged") instanceof Map<?, ?> event)) {
                error = new IllegalStateException("event without data: " + response);
                return;
            }
            Object requestId = event.get("origin") instanceof Map<?, ?> origin ? origin.get("requestId") : null;
            receipts.add(new Receipt(
                    Long.parseLong(event.get("id").toString()), requestId == null ? null : requestId.toString(), now));
        }
    }

    private final List<WebSocketGraphQlClient> connections;
    private final List<Subscription> subscriptions;
    private final List<Disposable> running;

    private Subscribers(
            List<WebSocketGraphQlClient> connections, List<Subscription> subscriptions, List<Disposable> running) {
        this.connections = connections;
        this.subscriptions = subscriptions;
        this.running = running;
    }

    /**
     * Opens {@code connections} WebSockets to the service at {@code baseUrl} and subscribes each entry of {@code
     * watching} (a list of serial numbers, or null for every change), subscription {@code j} on connection {@code j
     * mod connections}. Returns once every connection is acknowledged and every subscription sent; the service
     * registers them moments later (its {@code widgets.live.subscribers} gauge says when).
     */
    public static Subscribers open(String baseUrl, int connections, List<List<String>> watching) {
        // a connection of its own per WebSocket: a pooled client would hold them in its (small) pool and queue the rest
        ReactorNettyWebSocketClient socket = new ReactorNettyWebSocketClient(HttpClient.newConnection());
        URI url = URI.create(baseUrl.replaceFirst("^http", "ws") + "/graphql");
        WebSocketGraphQlClientInterceptor signIn = new WebSocketGraphQlClientInterceptor() {
            @Override
            public Mono<Object> connectionInitPayload() {
                return Mono.just(Map.of("Authorization", "Bearer " + ServiceProcess.ADMIN_TOKEN));
            }
        };
        List<WebSocketGraphQlClient> clients = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            clients.add(WebSocketGraphQlClient.builder(url, socket)
                    .interceptor(signIn)
                    .build());
        }
        Flux.fromIterable(clients)
                .flatMap(WebSocketGraphQlClient::start, 32)
                .then()
                .block(Duration.ofMinutes(2));
        List<Subscription> subscriptions = new ArrayList<>();
        List<Disposable> running = new ArrayList<>();
        for (int j = 0; j < watching.size(); j++) {
            Subscription s = new Subscription(watching.get(j));
            subscriptions.add(s);
            running.add(clients.get(j % connections)
                    .document(DOCUMENT)
                    .variable("s", s.serials)
                    .executeSubscription()
                    .subscribe(s::next, e -> s.error = e, () -> s.completed = true));
        }
        return new Subscribers(clients, subscriptions, running);
    }

    public List<Subscription> subscriptions() {
        return subscriptions;
    }

    /** Subscriptions ended by an error (the first few messages are kept for the report). */
    public List<Throwable> errors() {
        return subscriptions.stream()
                .map(Subscription::error)
                .filter(e -> e != null)
                .toList();
    }

    /** Closes every connection, as a browser tab closing does: the service ends their subscriptions itself. */
    @Override
    public void close() {
        Flux.fromIterable(connections)
                .flatMap(WebSocketGraphQlClient::stop, 64)
                .then()
                .block(Duration.ofMinutes(2));
        running.forEach(Disposable::dispose);
    }
}
