package com.widgets.api.system;

import com.widgets.db.Origin;
import graphql.GraphQLContext;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.slf4j.MDC;
import org.springframework.graphql.server.WebGraphQlRequest;
import org.springframework.graphql.server.WebGraphQlResponse;
import org.springframework.graphql.server.WebSocketGraphQlInterceptor;
import org.springframework.graphql.server.WebSocketGraphQlRequest;
import org.springframework.graphql.server.WebSocketSessionInfo;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

/**
 * Who is asking and under which request id: the actor comes from the {@value #ACTOR_HEADER} header ("anonymous"
 * without one) — over WebSocket from the {@code connection_init} payload's {@code actor} (or {@code X-Actor}, at the
 * top or under {@code headers}), since browsers cannot set headers on a WebSocket, else from the handshake's header.
 * The request id is new for every HTTP request (given by {@link RequestIdFilter}) or WebSocket operation and is returned
 * in the {@value #REQUEST_ID_HEADER} header and in the response's {@code extensions.requestId}; writes record both in
 * the history, and log lines written while the operation runs carry it ({@link RequestIdInMdc}).
 */
@Component
public class RequestOrigin implements WebSocketGraphQlInterceptor {

    public static final String ACTOR_HEADER = "X-Actor";
    public static final String REQUEST_ID_HEADER = "X-Request-Id";
    static final String ACTOR = "widgets.actor";
    static final String REQUEST_ID = "widgets.requestId";
    private static final String ANONYMOUS = "anonymous";
    private static final int MAX_ACTOR = 128;

    @Override
    public Mono<Object> handleConnectionInitialization(WebSocketSessionInfo session, Map<String, Object> payload) {
        Object actor = payload.getOrDefault("actor", payload.get(ACTOR_HEADER));
        if (actor == null && payload.get("headers") instanceof Map<?, ?> headers) {
            actor = headers.get(ACTOR_HEADER);
        }
        if (actor != null) {
            // checked per operation, like the header, so a bad one is an error naming it rather than a closed socket
            session.getAttributes().put(ACTOR, actor.toString());
        }
        return Mono.empty();
    }

    @Override
    public Mono<WebGraphQlResponse> intercept(WebGraphQlRequest request, Chain chain) {
        String actor = givenActor(request);
        String requestId = !(request instanceof WebSocketGraphQlRequest)
                        && request.getAttributes().get(REQUEST_ID) instanceof String fromFilter
                ? fromFilter
                : UUID.randomUUID().toString();
        request.configureExecutionInput((input, builder) -> builder.graphQLContext(
                        Map.of(ACTOR, actor == null ? "" : actor, REQUEST_ID, requestId))
                .build());
        return chain.next(request)
                .map(response -> {
                    response.getResponseHeaders().set(REQUEST_ID_HEADER, requestId);
                    return response.transform(builder -> {
                        Map<Object, Object> extensions = new LinkedHashMap<>(response.getExtensions());
                        extensions.put("requestId", requestId);
                        builder.extensions(extensions);
                    });
                })
                // In the MDC as the operation starts on this thread (over WebSocket the thread has the handshake's),
                // and in that of data fetchers, wherever they run.
                .doFirst(() -> MDC.put(RequestIdInMdc.MDC_KEY, requestId))
                .contextWrite(Context.of(RequestIdInMdc.KEY, requestId));
    }

    /** The actor as the client gave it: over WebSocket from connection_init when it had one, else the header. */
    private static String givenActor(WebGraphQlRequest request) {
        if (request instanceof WebSocketGraphQlRequest socket
                && socket.getSessionInfo().getAttributes().get(ACTOR) instanceof String fromInit) {
            return fromInit;
        }
        return request.getHeaders().getFirst(ACTOR_HEADER);
    }

    /** The origin of a GraphQL operation; a new request id when it came without one (as in slice tests). */
    public static Origin of(GraphQLContext context) {
        String requestId = context.getOrDefault(REQUEST_ID, UUID.randomUUID().toString());
        return Origin.request(actor(context.getOrDefault(ACTOR, "")), requestId);
    }

    /** The origin of a REST request, under the request id {@link RequestIdFilter} gave it. */
    public static Origin of(HttpServletRequest request) {
        String requestId = request.getAttribute(REQUEST_ID) instanceof String given
                ? given
                : UUID.randomUUID().toString();
        return Origin.request(actor(request.getHeader(ACTOR_HEADER)), requestId);
    }

    private static String actor(String header) {
        if (header == null || header.isBlank()) {
            return ANONYMOUS;
        }
        String actor = header.strip();
        if (actor.length() > MAX_ACTOR || actor.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidInput(ACTOR_HEADER, "must be at most " + MAX_ACTOR + " printable characters");
        }
        return actor;
    }
}
