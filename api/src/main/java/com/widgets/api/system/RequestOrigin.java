package com.widgets.api.system;

import com.widgets.db.Origin;
import graphql.GraphQLContext;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.graphql.server.WebGraphQlInterceptor;
import org.springframework.graphql.server.WebGraphQlRequest;
import org.springframework.graphql.server.WebGraphQlResponse;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Who is asking and under which request id: the actor comes from the {@value #ACTOR_HEADER} header ("anonymous"
 * without one), the request id is new for every HTTP request or WebSocket operation and is returned in the {@value
 * #REQUEST_ID_HEADER} header and in the response's {@code extensions.requestId}; writes record both in the history.
 */
@Component
public class RequestOrigin implements WebGraphQlInterceptor {

    public static final String ACTOR_HEADER = "X-Actor";
    public static final String REQUEST_ID_HEADER = "X-Request-Id";
    static final String ACTOR = "widgets.actor";
    static final String REQUEST_ID = "widgets.requestId";
    private static final String ANONYMOUS = "anonymous";
    private static final int MAX_ACTOR = 128;

    @Override
    public Mono<WebGraphQlResponse> intercept(WebGraphQlRequest request, Chain chain) {
        String actor = request.getHeaders().getFirst(ACTOR_HEADER);
        String requestId = UUID.randomUUID().toString();
        request.configureExecutionInput((input, builder) -> builder.graphQLContext(
                        Map.of(ACTOR, actor == null ? "" : actor, REQUEST_ID, requestId))
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

    /** The origin of a GraphQL operation; a new request id when it came without one (as in slice tests). */
    public static Origin of(GraphQLContext context) {
        String requestId = context.getOrDefault(REQUEST_ID, UUID.randomUUID().toString());
        return Origin.request(actor(context.getOrDefault(ACTOR, "")), requestId);
    }

    /** The origin of a REST request, with a new request id. */
    public static Origin of(HttpServletRequest request) {
        return Origin.request(
                actor(request.getHeader(ACTOR_HEADER)), UUID.randomUUID().toString());
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
