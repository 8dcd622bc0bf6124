package com.widgets.api.system;

import graphql.language.OperationDefinition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.graphql.server.webmvc.GraphQlHttpHandler;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.util.StreamUtils;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /graphql} at its edges: a body that is not JSON by its Content-Type gets a 415 naming the types that
 * are, and a subscription gets a 400 naming the transports that carry one, where Spring would answer an empty 415
 * and a serialized publisher.
 */
class GraphQlOverPost {

    /** What Spring for GraphQL's HTTP handler reads (its request predicate's list). */
    static final List<MediaType> ACCEPTED =
            List.of(MediaType.APPLICATION_JSON, MediaType.parseMediaType("application/graphql"));

    private final GraphQlHttpHandler httpHandler;
    private final JsonMapper json;

    GraphQlOverPost(GraphQlHttpHandler httpHandler, JsonMapper json) {
        this.httpHandler = httpHandler;
        this.json = json;
    }

    static boolean readable(ServerRequest request) {
        try {
            Optional<MediaType> type = request.headers().contentType();
            return type.isPresent() && ACCEPTED.stream().anyMatch(accepted -> accepted.includes(type.get()));
        } catch (RuntimeException malformed) {
            return false;
        }
    }

    ServerResponse unsupportedMediaType(ServerRequest request) {
        String given = request.headers().firstHeader("Content-Type");
        String message = (given == null
                        ? "POST /graphql needs a Content-Type header"
                        : "Content-Type '" + given + "' is not supported")
                + "; send the request as JSON with Content-Type: application/json"
                + " (with curl: -H 'Content-Type: application/json').";
        return ServerResponse.status(HttpStatus.UNSUPPORTED_MEDIA_TYPE)
                .header("Accept-Post", "application/json, application/graphql")
                .contentType(MediaType.APPLICATION_JSON)
                .body(Map.of(
                        "errors",
                        List.of(Map.of(
                                "message",
                                message,
                                "extensions",
                                Map.of(
                                        "classification",
                                        "BAD_REQUEST",
                                        "acceptedContentTypes",
                                        ACCEPTED.stream()
                                                .map(MediaType::toString)
                                                .toList())))));
    }

    /** Runs the request unless it is a subscription, which plain HTTP cannot carry. */
    ServerResponse handle(ServerRequest request) throws Exception {
        byte[] body;
        try {
            body = StreamUtils.copyToByteArray(request.servletRequest().getInputStream());
        } catch (IOException e) {
            return GraphQlOverGet.unreadable(e);
        }
        if (subscription(body)) {
            return subscriptionRefused(request);
        }
        try {
            return httpHandler.handleRequest(
                    ServerRequest.from(request).body(body).build());
        } catch (HttpMessageNotReadableException | ServerWebInputException e) {
            return GraphQlOverGet.unreadable(e);
        }
    }

    /** Plain HTTP answers once; a subscription needs a connection that stays open. */
    static ServerResponse subscriptionRefused(ServerRequest request) {
        String ws = request.uri()
                .resolve(request.servletRequest().getContextPath() + "/graphql")
                .toString()
                .replaceFirst("^http", "ws");
        return GraphQlOverGet.error(
                HttpStatus.BAD_REQUEST,
                "A subscription needs a connection that stays open: use the graphql-transport-ws WebSocket at " + ws
                        + " (as GraphiQL does), or POST it as JSON with 'Accept: text/event-stream' for"
                        + " Server-Sent Events (curl -N).");
    }

    private boolean subscription(byte[] body) {
        // Most requests never name a subscription: spare them a second JSON and GraphQL parse.
        if (!new String(body, StandardCharsets.UTF_8).contains("subscription")) {
            return false;
        }
        try {
            JsonNode request = json.readTree(body);
            JsonNode query = request.get("query");
            JsonNode name = request.get("operationName");
            return query != null
                    && query.isString()
                    && GraphQlOverGet.operation(
                                    query.asString(), name != null && name.isString() ? name.asString() : null)
                            == OperationDefinition.Operation.SUBSCRIPTION;
        } catch (JacksonException | IllegalArgumentException e) {
            // Not readable here: Spring's handler reads it again and says what is wrong.
            return false;
        }
    }
}
