package com.widgets.api.access;

import com.widgets.api.system.InvalidInput;
import com.widgets.db.Origin;
import graphql.GraphQLContext;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.graphql.server.WebGraphQlInterceptor;
import org.springframework.graphql.server.WebGraphQlRequest;
import org.springframework.graphql.server.WebGraphQlResponse;
import org.springframework.graphql.server.WebSocketGraphQlRequest;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Who is asking and under which request id. The actor recorded in the history is the caller's subject — the
 * subject of their token; an admin acting for someone names them in the {@value #ACTOR_HEADER} header (over the
 * WebSocket in the {@code connection_init} payload, like the token), anyone else's is ignored. The request id is new
 * for every HTTP request or WebSocket operation and is returned in the {@value #REQUEST_ID_HEADER} header and in the
 * response's {@code extensions.requestId}; writes record both in the history.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
public class RequestOrigin implements WebGraphQlInterceptor {

    public static final String ACTOR_HEADER = "X-Actor";
    public static final String REQUEST_ID_HEADER = "X-Request-Id";
    static final String ACTOR = "widgets.actor";
    static final String REQUEST_ID = "widgets.requestId";
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
        String requestId = UUID.randomUUID().toString();
        request.configureExecutionInput((input, builder) -> builder.graphQLContext(
                        Map.of(ACTOR, actor == null ? "" : actor, REQUEST_ID, requestId, Caller.ATTRIBUTE, caller))
                .build());
        return chain.next(request).map(response -> {
            response.getResponseHeaders().set(REQUEST_ID_HEADER, requestId);
            return response.transform(builder -> {
                Map<Object, Object> extensions = new LinkedHashMap<>(response.getExtensions());
                extensions.put("requestId", requestId);
                builder.extensions(extensions);
            });
        });
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

    /** The origin of a REST request, with a new request id. */
    public static Origin of(HttpServletRequest request) {
        return Origin.request(
                checked(Caller.of(request).actor(request.getHeader(ACTOR_HEADER))),
                UUID.randomUUID().toString());
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
