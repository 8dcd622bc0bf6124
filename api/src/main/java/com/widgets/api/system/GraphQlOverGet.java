package com.widgets.api.system;

import com.widgets.api.access.Caller;
import com.widgets.api.access.OperationRoles;
import com.widgets.api.access.Refusal;
import graphql.language.OperationDefinition;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.graphql.server.support.SerializableGraphQlRequest;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /graphql?query=…&variables=…&operationName=…} per GraphQL over HTTP: queries only, so a link or a
 * crawler can never change the wiring; mutations are refused with 405 (use POST), subscriptions with 400 (use the
 * WebSocket or Server-Sent Events).
 */
class GraphQlOverGet {

    static final MediaType GRAPHQL_RESPONSE = MediaType.parseMediaType("application/graphql-response+json");
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {};

    private final GraphQlOverPost.Execution execution;
    private final JsonMapper json;
    private final OperationRoles roles;

    GraphQlOverGet(GraphQlOverPost.Execution execution, JsonMapper json, OperationRoles roles) {
        this.execution = execution;
        this.json = json;
        this.roles = roles;
    }

    ServerResponse handle(ServerRequest request) {
        String query = request.param("query").orElse(null);
        if (query == null || query.isBlank()) {
            return error(
                    HttpStatus.BAD_REQUEST, "GET /graphql needs a 'query' parameter (or POST the request as JSON).");
        }
        Map<String, Map<String, Object>> objects = new HashMap<>();
        for (String name : List.of("variables", "extensions")) {
            String value = request.param(name).orElse(null);
            if (value != null && !value.isBlank()) {
                try {
                    objects.put(name, json.readValue(value, OBJECT));
                } catch (JacksonException e) {
                    return error(HttpStatus.BAD_REQUEST, "The '" + name + "' parameter must be a JSON object.");
                }
            }
        }
        SerializableGraphQlRequest body = new SerializableGraphQlRequest();
        body.setQuery(query);
        request.param("operationName").filter(s -> !s.isEmpty()).ifPresent(body::setOperationName);
        body.setVariables(objects.get("variables"));
        body.setExtensions(objects.get("extensions"));
        OperationRoles.Need need = roles.of(query, body.getOperationName());
        Optional<Refusal> refusal = Refusal.check(Caller.of(request.servletRequest()), need, false);
        if (refusal.isPresent()) {
            return refused(refusal.get());
        }
        OperationDefinition.Operation operation = need.operation();
        if (operation == OperationDefinition.Operation.SUBSCRIPTION) {
            return GraphQlOverPost.subscriptionRefused(request);
        }
        if (operation != null && operation != OperationDefinition.Operation.QUERY) {
            return ServerResponse.status(HttpStatus.METHOD_NOT_ALLOWED)
                    .allow(HttpMethod.POST)
                    .contentType(MediaType.APPLICATION_JSON)
                    .body(errors("GET runs queries only; send a "
                            + operation.name().toLowerCase(Locale.ROOT) + " with POST, or over the WebSocket."));
        }
        MediaType type = request.headers().accept().stream().anyMatch(GRAPHQL_RESPONSE::isCompatibleWith)
                ? GRAPHQL_RESPONSE
                : MediaType.APPLICATION_JSON;
        return ServerResponse.async(execution
                .execute(request, body)
                .map(response -> ServerResponse.ok()
                        .headers(headers -> headers.putAll(response.getResponseHeaders()))
                        .contentType(type)
                        .body(response.toMap())));
    }

    /** A caller refused: 401 or 403 with the reason as a GraphQL error. */
    static ServerResponse refused(Refusal refusal) {
        ServerResponse.BodyBuilder response = ServerResponse.status(refusal.status());
        if (refusal.status() == HttpStatus.UNAUTHORIZED) {
            response.header("WWW-Authenticate", "Bearer");
        }
        return response.contentType(MediaType.APPLICATION_JSON)
                .body(Map.of(
                        "errors",
                        List.of(Map.of(
                                "message",
                                refusal.message(),
                                "extensions",
                                Map.of(
                                        "classification",
                                        refusal.status() == HttpStatus.UNAUTHORIZED ? "UNAUTHORIZED" : "FORBIDDEN",
                                        "code",
                                        refusal.code())))));
    }

    /** The answer to a POST whose body cannot be read as a GraphQL request. */
    static ServerResponse unreadable(Exception e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null && cause.getMessage().contains("widgets.graphql.max-request-size")) {
                return error(HttpStatus.PAYLOAD_TOO_LARGE, cause.getMessage());
            }
            if (cause instanceof JacksonException json) {
                String where = json.getLocation() == null || json.getLocation().getLineNr() < 0
                        ? ""
                        : " (line " + json.getLocation().getLineNr() + ", column "
                                + json.getLocation().getColumnNr() + ")";
                // A binding error names the server's own classes ("Cannot construct instance of `org…`"): the
                // request's shape is said instead. A syntax error's sentence is about the JSON, and kept.
                String problem = json instanceof DatabindException
                        ? "it must be a JSON object with a \"query\" string, and optionally an \"operationName\""
                                + " string and a \"variables\" object"
                        : json.getOriginalMessage().replaceAll(" \\(?,? ?from `[^`]*`\\)?", "");
                return error(
                        HttpStatus.BAD_REQUEST,
                        "The request body is not a valid GraphQL request: " + problem + where
                                + ". Send JSON like {\"query\": \"{ widget(serialNumber: \\\"SN-1\\\") { name } }\"}.");
            }
        }
        return error(
                HttpStatus.BAD_REQUEST,
                "The request body is not a valid GraphQL request; send JSON with a \"query\" string and optional"
                        + " \"variables\" object.");
    }

    static ServerResponse error(HttpStatus status, String message) {
        return ServerResponse.status(status)
                .contentType(MediaType.APPLICATION_JSON)
                .body(errors(message));
    }

    private static Map<String, Object> errors(String message) {
        return Map.of(
                "errors", List.of(Map.of("message", message, "extensions", Map.of("classification", "BAD_REQUEST"))));
    }
}
