package com.widgets.api.live;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.adapter.standard.StandardWebSocketSession;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * What the container is asked to do with the messages of one Reactor task: buffer them all, then write them once as
 * the task ends; a message sent from any other thread is written at once. The container here records the calls it
 * gets (Tomcat's own batching is what it would run them through).
 */
class CoalescedSendsTest {

    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final WebSocketSession session = CoalescedSends.of(open(recording()));

    @Test
    void theMessagesOfOneReactorTaskLeaveInOneWriteAsItEnds() {
        Scheduler sender = Schedulers.newSingle("coalesced-sends-test");
        try {
            sender.schedule(() -> {
                send("{\"id\":\"1\",\"type\":\"next\"}");
                send("{\"id\":\"2\",\"type\":\"next\"}");
                send("{\"id\":\"3\",\"type\":\"next\"}");
                calls.add("task ends");
            });
            // a second task on the same thread runs once the first has ended, its write included
            Mono.empty().subscribeOn(sender).block();
        } finally {
            sender.dispose();
        }

        assertThat(calls)
                .containsExactly(
                        "batching on",
                        "send {\"id\":\"1\",\"type\":\"next\"}",
                        "send {\"id\":\"2\",\"type\":\"next\"}",
                        "send {\"id\":\"3\",\"type\":\"next\"}",
                        "task ends",
                        "write");
    }

    @Test
    void aMessageFromAnotherThreadIsWrittenAtOnce() {
        send("{\"type\":\"pong\"}"); // as Spring answers a ping, on the container's reading thread

        assertThat(calls).containsExactly("batching on", "send {\"type\":\"pong\"}", "write");
    }

    @Test
    void aSessionOutsideAJsr356ContainerIsLeftAsItIs() {
        WebSocketSession unopened = new StandardWebSocketSession(new HttpHeaders(), Map.of(), null, null);

        assertThat(CoalescedSends.of(unopened)).isSameAs(unopened);
    }

    private void send(String text) {
        try {
            session.sendMessage(new TextMessage(text));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A container session whose remote end records what it is asked to do. */
    private Session recording() {
        RemoteEndpoint.Basic remote = (RemoteEndpoint.Basic) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {RemoteEndpoint.Basic.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "setBatchingAllowed" -> calls.add((Boolean) args[0] ? "batching on" : "batching off");
                        case "sendText" -> calls.add("send " + args[0]);
                        case "flushBatch" -> calls.add("write");
                        default -> throw new UnsupportedOperationException(method.getName());
                    }
                    return null;
                });
        return (Session) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {Session.class}, (proxy, method, args) -> {
                    // the URI, subprotocol, extensions and principal Spring reads as it opens: none
                    return method.getName().equals("getBasicRemote") ? remote : null;
                });
    }

    private static WebSocketSession open(Session container) {
        StandardWebSocketSession session = new StandardWebSocketSession(new HttpHeaders(), Map.of(), null, null);
        session.initializeNativeSession(container);
        return session;
    }
}
