package com.widgets.api.access;

import com.widgets.api.system.InvalidInput;
import com.widgets.api.system.RequestIdInMdc;
import com.widgets.db.Origin;
import graphql.GraphQLContext;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.slf4j.MDC;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.graphql.server.WebGraphQlInterceptor;
import org.springframework.graphql.server.WebGraphQlRequest;
import org.springframework.graphql.server.WebGraphQlResponse;
import org.springframework.graphql.server.WebSocketGraphQlRequest;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

/**
 * Who is asking and under which request id. The actor recorded in the history is the caller's subject — the
 * subject of their token; an admin acting for someone names them in the {@value #ACTOR_HEADER} header (over the
 * WebSocket in the {@code connection_init} payload, like the token), anyone else's is ignored. The request id is new
 * for every HTTP request (given by the {@code RequestIdFilter}) or WebSocket operation and is returned in the {@value
 * #REQUEST_ID_HEADER} header and in the response's {@code extensions.requestId}; writes record both in the history,
 * and log lines written while the operation runs carry it ({@link RequestIdInMdc}).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
public class RequestOrigin implements WebGraphQlInterceptor {

    public static final String ACTOR_HEADER = "X-Actor";
    public static final String REQUEST_ID_HEADER = "X-Request-Id";
    static final String ACTOR = "widgets.actor";
    /** The request attribute and GraphQL context entry holding the request id. */
    public static final String REQUEST_ID = "widgets.requestId";
    /** The GraphQL context entry naming the connection an operation came over (its WebSocket session). */
    public static final String CONNECTION = "widgets.connection";

    private static final int MAX_ACTOR = 128;

    @Override
    public Mono<WebGraphQlResponse> intercept(WebGraphQlRequest request, Chain chain) {
        Caller caller;
        Object actingFor;
        if (request instanceof WebSocketGraphQlRequest socket) {
            caller = Caller.of(socket.getSessionInfo().getAttributes());
            actingFor = socket.getSessionInfo().getAttributes().get(ACTOR);
        } else {
            caller = Caller.of(request.getAttributes());
            actingFor = request.getHeaders().getFirst(ACTOR_HEADER);
        }
        String actor = caller.actor(actingFor == null ? null : actingFor.toString());
        String requestId = !(request instanceof WebSocketGraphQlRequest)
                        && request.getAttributes().get(REQUEST_ID) instanceof String fromFilter
                ? fromFilter
                : UUID.randomUUID().toString();
        // the connection an operation came over: its WebSocket session, or for HTTP the request itself
        String connection = request instanceof WebSocketGraphQlRequest socket
                ? socket.getSessionInfo().getId()
                : requestId;
        request.configureExecutionInput((input, builder) -> builder.graphQLContext(Map.of(
                        ACTOR,
                        actor == null ? "" : actor,
                        REQUEST_ID,
                        requestId,
                        CONNECTION,
                        connection,
                        Caller.ATTRIBUTE,
                        caller))
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

    /** Keeps the {@value #ACTOR_HEADER} a WebSocket's {@code connection_init} names, for an admin acting for someone. */
    static void rememberActor(Map<String, Object> sessionAttributes, Map<String, Object> payload) {
        Object actor = payload.getOrDefault("actor", OperationAccess.header(payload, ACTOR_HEADER));
        if (actor != null) {
            // checked per operation, like the header, so a bad one is an error naming it rather than a closed socket
            sessionAttributes.put(ACTOR, actor.toString());
        }
    }

    /** The origin of a GraphQL operation; a new request id when it came without one (as in slice tests). */
    public static Origin of(GraphQLContext context) {
        String requestId = context.getOrDefault(REQUEST_ID, UUID.randomUUID().toString());
        return Origin.request(checked(context.getOrDefault(ACTOR, "")), requestId);
    }

    /** The origin of a REST request, under the request id the {@code RequestIdFilter} gave it. */
    public static Origin of(HttpServletRequest request) {
        String requestId = request.getAttribute(REQUEST_ID) instanceof String given
                ? given
                : UUID.randomUUID().toString();
        return Origin.request(checked(Caller.of(request).actor(request.getHeader(ACTOR_HEADER))), requestId);
    }

    private static String checked(String actor) {
        if (actor == null || actor.isBlank()) {
            return Caller.ANONYMOUS;
        }
        String stripped = actor.strip();
        if (stripped.length() > MAX_ACTOR || stripped.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidInput(ACTOR_HEADER, "must be at most " + MAX_ACTOR + " printable characters");
        }
        return stripped;
    }
}
