package com.widgets.bench.service;

import java.io.BufferedReader;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.graphql.ResponseError;
import org.springframework.graphql.client.ClientGraphQlResponse;
import org.springframework.graphql.client.SubscriptionErrorException;
import org.springframework.graphql.client.WebSocketGraphQlClient;
import org.springframework.graphql.client.WebSocketGraphQlClientInterceptor;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * The subscribers' own process ({@code java -jar widgets-bench.jar subscribers URL CONNECTIONS SPEC}): Spring's {@link
 * WebSocketGraphQlClient}, one per WebSocket connection, signed in with the admin token in {@code connection_init},
 * all on one Reactor Netty event loop, each subscription keeping what it received. {@link Subscribers} starts it and
 * talks to it over its standard input and output, one command a line, answered by one line starting with {@value
 * #ANSWER} (other lines are its log). It runs apart from the writers so that its garbage collections — it keeps every
 * receipt — do not stall the writers whose latency is being measured, as consoles on other machines would not.
 */
public final class SubscriberClients {

    /** What starts every answer line on standard output. */
    static final String ANSWER = "@@ ";
    /** The environment variable holding the admin token the subscribers sign in with. */
    static final String TOKEN = "WIDGETS_BENCH_TOKEN";

    /** What a subscriber selects: enough to resume ({@code id}, {@code cursor}) and to match the change's request. */
    private static final String DOCUMENT = """
            subscription($s: [ID!]) {
              wiringChanged(serialNumbers: $s) {
                id at serialNumber type port peer { serialNumber port } origin { requestId } cursor
              }
            }""";

    /** One subscription's receipts: event id, request id (or null), {@link System#nanoTime()} on arrival. */
    private static final class Received {
        private final List<String> serials;
        private final List<Object[]> receipts = Collections.synchronizedList(new ArrayList<>());
        private volatile String error;
        private volatile boolean completed;

        private Received(List<String> serials) {
            this.serials = serials;
        }

        private void next(ClientGraphQlResponse response, AtomicLong total) {
            long now = System.nanoTime();
            Map<String, Object> data = response.getData();
            if (data == null || !(data.get("wiringChanged") instanceof Map<?, ?> event)) {
                error = "event without data: " + response;
                return;
            }
            Object requestId = event.get("origin") instanceof Map<?, ?> origin ? origin.get("requestId") : null;
            receipts.add(new Object[] {
                Long.parseLong(event.get("id").toString()), requestId == null ? null : requestId.toString(), now
            });
            total.incrementAndGet();
        }
    }

    private SubscriberClients() {}

    /** {@code args}: the service's base URL, the number of connections, the file naming what each subscription watches. */
    public static void main(String[] args) throws Exception {
        PrintStream answers = System.out;
        URI url = URI.create(args[0].replaceFirst("^http", "ws") + "/graphql");
        int connections = Integer.parseInt(args[1]);
        List<Received> subscriptions = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[2]))) {
            subscriptions.add(new Received(line.equals("*") ? null : Arrays.asList(line.split(","))));
        }
        AtomicLong total = new AtomicLong();
        // a connection of its own per WebSocket: a pooled client would hold them in its (small) pool and queue the rest
        ReactorNettyWebSocketClient socket = new ReactorNettyWebSocketClient(HttpClient.newConnection());
        WebSocketGraphQlClientInterceptor signIn = new WebSocketGraphQlClientInterceptor() {
            @Override
            public Mono<Object> connectionInitPayload() {
                return Mono.just(Map.of("Authorization", "Bearer " + System.getenv(TOKEN)));
            }
        };
        List<WebSocketGraphQlClient> clients = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            clients.add(WebSocketGraphQlClient.builder(url, socket)
                    .interceptor(signIn)
                    .build());
        }
        List<Disposable> running = new ArrayList<>();
        try {
            Flux.fromIterable(clients)
                    .flatMap(WebSocketGraphQlClient::start, 32)
                    .then()
                    .block(Duration.ofMinutes(2));
            for (int j = 0; j < subscriptions.size(); j++) {
                Received s = subscriptions.get(j);
                running.add(clients.get(j % connections)
                        .document(DOCUMENT)
                        .variable("s", s.serials)
                        .executeSubscription()
                        .subscribe(r -> s.next(r, total), e -> s.error = describe(e), () -> s.completed = true));
            }
            answers.println(ANSWER + "opened");
        } catch (RuntimeException e) {
            answers.println(ANSWER + "failed " + oneLine(e.toString()));
        }
        answers.flush();
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String command;
        while ((command = commands.readLine()) != null) {
            if (command.equals("status")) {
                String first = subscriptions.stream()
                        .map(s -> s.error)
                        .filter(e -> e != null)
                        .findFirst()
                        .orElse("");
                long errors =
                        subscriptions.stream().filter(s -> s.error != null).count();
                answers.println(ANSWER + total.get() + " " + errors + " " + oneLine(first));
            } else if (command.startsWith("receipts ")) {
                write(subscriptions, Path.of(command.substring("receipts ".length())));
                answers.println(ANSWER + "written");
            } else if (command.equals("close")) {
                break;
            }
            answers.flush();
        }
        Flux.fromIterable(clients)
                .flatMap(WebSocketGraphQlClient::stop, 64)
                .then()
                .block(Duration.ofMinutes(2));
        running.forEach(Disposable::dispose);
        answers.println(ANSWER + "closed");
        answers.flush();
    }

    /** The file {@link Subscribers#read} reads: per subscription its state and receipts, in order. */
    private static void write(List<Received> subscriptions, Path file) throws IOException {
        try (DataOutputStream out =
                new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(file)))) {
            out.writeInt(subscriptions.size());
            for (Received s : subscriptions) {
                out.writeBoolean(s.completed);
                out.writeUTF(s.error == null ? "" : s.error);
                List<Object[]> receipts;
                synchronized (s.receipts) {
                    receipts = new ArrayList<>(s.receipts);
                }
                out.writeInt(receipts.size());
                for (Object[] r : receipts) {
                    out.writeLong((Long) r[0]);
                    out.writeUTF(r[1] == null ? "" : (String) r[1]);
                    out.writeLong((Long) r[2]);
                }
            }
        }
    }

    /** The error code and message the service ended a subscription with, or the client's own error. */
    private static String describe(Throwable error) {
        if (error instanceof SubscriptionErrorException refused
                && !refused.getErrors().isEmpty()) {
            ResponseError first = refused.getErrors().get(0);
            return first.getExtensions().get("code") + " (" + first.getMessage() + ")";
        }
        return error.toString();
    }

    private static String oneLine(String text) {
        String line = text.replaceAll("\\s+", " ");
        return line.length() > 2_000 ? line.substring(0, 2_000) : line;
    }
}
