package com.widgets.api;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.springframework.graphql.client.WebSocketGraphQlClientInterceptor;
import org.springframework.graphql.test.tester.WebSocketGraphQlTester;
import org.springframework.web.reactive.socket.client.StandardWebSocketClient;
import reactor.core.publisher.Mono;

/** GraphQL over the service's WebSocket endpoint, for the end-to-end tests that subscribe. */
public final class GraphQlSockets {

    private GraphQlSockets() {}

    /** A tester on {@code /graphql} of the service listening on {@code port}; it connects on first use. */
    public static WebSocketGraphQlTester connect(int port) {
        return connect(port, Map.of());
    }

    /** A tester signed in as the tests' admin whose {@code connection_init} also carries {@code payload}. */
    public static WebSocketGraphQlTester connect(int port, Map<String, Object> payload) {
        Map<String, Object> signedIn = new java.util.HashMap<>(payload);
        signedIn.putIfAbsent("Authorization", Fixtures.BEARER);
        return connectAs(port, signedIn);
    }

    /** A tester whose {@code connection_init} carries exactly {@code payload}, as a browser client sends it. */
    public static WebSocketGraphQlTester connectAs(int port, Map<String, Object> payload) {
        WebSocketGraphQlClientInterceptor init = new WebSocketGraphQlClientInterceptor() {
            @Override
            public Mono<Object> connectionInitPayload() {
                return Mono.just(payload);
            }
        };
        return WebSocketGraphQlTester.builder(
                        URI.create("ws://localhost:" + port + "/graphql"), new StandardWebSocketClient())
                .interceptor(init)
                // the 5 s default failed on a machine loaded by parallel builds; a real hang still fails
                .responseTimeout(Duration.ofSeconds(30))
                .build();
    }

    public static void close(WebSocketGraphQlTester ws) {
        ws.stop().block(Duration.ofSeconds(5));
    }
}
