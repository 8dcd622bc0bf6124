package com.widgets.bench.service;

import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
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
 * The subscribers' own process ({@code java -jar widgets-bench.jar subscribers}): groups of {@code wiringChanged}
 * subscriptions over Spring's {@link WebSocketGraphQlClient}, one client per WebSocket connection, signed in with the
 * admin token in {@code connection_init}, all on one Reactor Netty event loop, each subscription keeping what it
 * received. {@link Subscribers} starts it once per run and talks to it over its standard input and output, one command
 * a line, answered by one line starting with {@value #ANSWER} (other lines are its log).
 *
 * <p>It runs apart from the writers so that its garbage collections — it keeps every receipt — do not stall the
 * writers whose latency is being measured, as consoles on other machines would not; and it lives through the whole
 * run, so that it is compiled by the time anything is measured, as the harness's own code is.
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

    /** The connections and subscriptions opened by one {@code open} command. */
    private record Group(
            List<WebSocketGraphQlClient> clients,
            List<Received> subscriptions,
            List<Disposable> running,
            AtomicLong total) {

        String status() {
            String first = subscriptions.stream()
                    .map(s -> s.error)
                    .filter(e -> e != null)
                    .findFirst()
                    .orElse("");
            long errors = subscriptions.stream().filter(s -> s.error != null).count();
            return total.get() + " " + errors + " " + oneLine(first);
        }

        void close() {
            Flux.fromIterable(clients)
                    .flatMap(WebSocketGraphQlClient::stop, 64)
                    .then()
                    .block(Duration.ofMinutes(2));
            running.forEach(Disposable::dispose);
        }
    }

    private SubscriberClients() {}

    /**
     * Serves commands until {@code exit} or the end of its input: {@code open ID URL CONNECTIONS SPEC} (the file
     * naming what each subscription watches, a line each: serial numbers joined by commas, or {@code *} for all),
     * {@code status ID}, {@code receipts ID FILE}, {@code close ID}.
     */
    public static void main(String[] args) throws Exception {
        PrintStream answers = System.out;
        // a connection of its own per WebSocket: a pooled client would hold them in its (small) pool and queue the rest
        ReactorNettyWebSocketClient socket = new ReactorNettyWebSocketClient(HttpClient.newConnection());
        Map<String, Group> groups = new HashMap<>();
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = commands.readLine()) != null && !line.equals("exit")) {
            String[] command = line.split(" ");
            String answer;
            try {
                answer = switch (command[0]) {
                    case "open" -> {
                        groups.put(
                                command[1],
                                open(socket, command[2], Integer.parseInt(command[3]), Path.of(command[4])));
                        yield "opened";
                    }
                    case "status" -> groups.get(command[1]).status();
                    case "receipts" -> {
                        write(groups.get(command[1]).subscriptions(), Path.of(command[2]));
                        yield "written";
                    }
                    case "close" -> {
                        groups.remove(command[1]).close();
                        yield "closed";
                    }
                    default -> "failed unknown command " + command[0];
                };
            } catch (RuntimeException e) {
                answer = "failed " + oneLine(e.toString());
            }
            answers.println(ANSWER + answer);
            answers.flush();
        }
        groups.values().forEach(Group::close);
    }

    private static Group open(ReactorNettyWebSocketClient socket, String baseUrl, int connections, Path spec)
            throws IOException {
        URI url = URI.create(baseUrl.replaceFirst("^http", "ws") + "/graphql");
        List<Received> subscriptions = new ArrayList<>();
        for (String line : Files.readAllLines(spec)) {
            subscriptions.add(new Received(line.equals("*") ? null : Arrays.asList(line.split(","))));
        }
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
        Flux.fromIterable(clients)
                .flatMap(WebSocketGraphQlClient::start, 32)
                .then()
                .block(Duration.ofMinutes(2));
        AtomicLong total = new AtomicLong();
        List<Disposable> running = new ArrayList<>();
        for (int j = 0; j < subscriptions.size(); j++) {
            Received s = subscriptions.get(j);
            running.add(clients.get(j % connections)
                    .document(DOCUMENT)
                    .variable("s", s.serials)
                    .executeSubscription()
                    .subscribe(r -> s.next(r, total), e -> s.error = describe(e), () -> s.completed = true));
        }
        return new Group(clients, subscriptions, running, total);
    }

    /** The file {@link Subscribers#subscriptions()} reads: per subscription its state and receipts, in order. */
    private static void write(List<Received> subscriptions, Path file) {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
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
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
