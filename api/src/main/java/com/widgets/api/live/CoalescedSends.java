package com.widgets.api.live;

import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.adapter.NativeWebSocketSession;
import org.springframework.web.socket.handler.WebSocketSessionDecorator;
import reactor.core.scheduler.Schedulers;

/**
 * A WebSocket session whose messages sent by one Reactor task leave in one socket write, at the end of that task.
 * Spring for GraphQL sends a subscription's messages one blocking {@code sendMessage} each from the session's own
 * Reactor thread, which drains every message queued for it in one task: a look of the live feed that brings a
 * subscriber of every change forty events made forty {@code write} system calls (and forty TCP segments for the
 * client to read), each costing more than encoding the event. With the container's batching on (JSR 356 {@code
 * setBatchingAllowed}) a message goes into the connection's 8 KB output buffer, written when it fills; a hook on
 * every Reactor task writes what the task left in it as the task ends, so no message waits for a later one. A message
 * sent from any other thread (Spring answers a {@code ping} on the container's reading thread) is written at once.
 */
final class CoalescedSends extends WebSocketSessionDecorator {

    private static final Logger log = LoggerFactory.getLogger(CoalescedSends.class);

    /** The Reactor task running on this thread, and the sessions it left output in; one per thread, reused. */
    private static final ThreadLocal<Task> TASK = ThreadLocal.withInitial(Task::new);

    static {
        // idempotent per key; never reset, as another application context in the same JVM may rely on it
        Schedulers.onScheduleHook(CoalescedSends.class.getName(), CoalescedSends::flushingAfter);
    }

    private static final class Task {
        private int depth;
        private final List<CoalescedSends> unflushed = new ArrayList<>(4);
    }

    private final RemoteEndpoint.Basic remote;

    private CoalescedSends(WebSocketSession session, RemoteEndpoint.Basic remote) {
        super(session);
        this.remote = remote;
    }

    /** The session with coalesced sends, or the session itself where the container is not a JSR 356 one. */
    static WebSocketSession of(WebSocketSession session) {
        Session jsr356 = session instanceof NativeWebSocketSession nativeSession
                ? nativeSession.getNativeSession(Session.class)
                : null;
        if (jsr356 == null) {
            return session;
        }
        RemoteEndpoint.Basic remote = jsr356.getBasicRemote();
        try {
            remote.setBatchingAllowed(true); // only turning it off writes, and so throws
        } catch (IOException e) {
            return session;
        }
        return new CoalescedSends(session, remote);
    }

    @Override
    public void sendMessage(WebSocketMessage<?> message) throws IOException {
        super.sendMessage(message);
        Task task = TASK.get();
        if (task.depth == 0) {
            remote.flushBatch(); // not a Reactor task: nothing would write it later
        } else if (!task.unflushed.contains(this)) {
            task.unflushed.add(this);
        }
    }

    private static Runnable flushingAfter(Runnable work) {
        return () -> {
            Task task = TASK.get();
            task.depth++;
            try {
                work.run();
            } finally {
                if (--task.depth == 0 && !task.unflushed.isEmpty()) {
                    for (CoalescedSends session : task.unflushed) {
                        session.flush();
                    }
                    task.unflushed.clear();
                }
            }
        };
    }

    private void flush() {
        try {
            remote.flushBatch();
        } catch (IOException | RuntimeException e) {
            // the connection is gone or going: the container closes it, and Spring ends its subscriptions
            log.debug("Could not write WebSocket {}'s messages", getId(), e);
        }
    }
}
