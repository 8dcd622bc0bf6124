package com.widgets.api.access;

import graphql.ExecutionResult;
import graphql.ExecutionResultImpl;
import graphql.GraphqlErrorBuilder;
import java.util.Map;
import java.util.Optional;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.graphql.execution.ErrorType;
import org.springframework.graphql.server.WebGraphQlRequest;
import org.springframework.graphql.server.WebGraphQlResponse;
import org.springframework.graphql.server.WebSocketGraphQlInterceptor;
import org.springframework.graphql.server.WebSocketGraphQlRequest;
import org.springframework.graphql.server.WebSocketSessionInfo;
import org.springframework.graphql.support.DefaultExecutionGraphQlResponse;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.AuthenticationException;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * GraphQL's door, on every transport: a WebSocket is signed in by its {@code connection_init} payload's {@code
 * Authorization} (browsers cannot set headers on a WebSocket) and closed with 4401 without a valid one; each
 * operation, over HTTP, Server-Sent Events or the WebSocket, runs only when its caller's role allows it. Over plain
 * HTTP the same check answers 401/403 before this runs (see {@code GraphQlOverPost}); here it is an error result.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class OperationAccess implements WebSocketGraphQlInterceptor {

    private final Authenticator authenticator;
    private final OperationRoles roles;
    private final SecuritySettings settings;

    OperationAccess(Authenticator authenticator, OperationRoles roles, SecuritySettings settings) {
        this.authenticator = authenticator;
        this.roles = roles;
        this.settings = settings;
    }

    @Override
    public Mono<Object> handleConnectionInitialization(WebSocketSessionInfo session, Map<String, Object> payload) {
        RequestOrigin.rememberActor(session.getAttributes(), payload);
        String token = Authenticator.bearer(header(payload, "Authorization"));
        if (token == null) {
            token = Authenticator.bearer(session.getHeaders().getFirst("Authorization"));
        }
        Caller caller;
        if (token == null) {
            if (!settings.openReads()) {
                return Mono.error(new IllegalStateException("no token in connection_init"));
            }
            caller = Caller.anonymous(Role.VIEWER);
        } else {
            try {
                caller = authenticator.authenticate(token);
            } catch (AuthenticationException e) {
                return Mono.error(e);
            }
        }
        session.getAttributes().put(Caller.ATTRIBUTE, caller);
        return Mono.empty();
    }

    /** A header-like entry of the payload: at its top, any case, or under {@code headers}. */
    public static Object header(Map<String, Object> payload, String name) {
        for (Map.Entry<String, Object> entry : payload.entrySet()) {
            if (entry.getKey().equalsIgnoreCase(name)) {
                return entry.getValue();
            }
        }
        return payload.get("headers") instanceof Map<?, ?> headers
                ? headers.entrySet().stream()
                        .filter(entry -> name.equalsIgnoreCase(String.valueOf(entry.getKey())))
                        .map(Map.Entry::getValue)
                        .findFirst()
                        .orElse(null)
                : null;
    }

    @Override
    public Mono<WebGraphQlResponse> intercept(WebGraphQlRequest request, Chain chain) {
        boolean socket = request instanceof WebSocketGraphQlRequest;
        Caller caller = socket
                ? Caller.of(((WebSocketGraphQlRequest) request).getSessionInfo().getAttributes())
                : Caller.of(request.getAttributes());
        Optional<Refusal> refusal =
                Refusal.check(caller, roles.of(request.getDocument(), request.getOperationName()), socket);
        if (refusal.isEmpty()) {
            return chain.next(request);
        }
        ExecutionResult result = ExecutionResultImpl.newExecutionResult()
                .addError(GraphqlErrorBuilder.newError()
                        .message(refusal.get().message())
                        .errorType(
                                refusal.get().status() == HttpStatus.UNAUTHORIZED
                                        ? ErrorType.UNAUTHORIZED
                                        : ErrorType.FORBIDDEN)
                        .extensions(Map.of("code", refusal.get().code()))
                        .build())
                .build();
        return Mono.just(
                new WebGraphQlResponse(new DefaultExecutionGraphQlResponse(request.toExecutionInput(), result)));
    }
}
