package com.widgets.api.system;

import com.widgets.api.access.Caller;
import com.widgets.api.access.OperationRoles;
import com.widgets.api.access.Refusal;
import com.widgets.api.access.RequestOrigin;
import graphql.language.OperationDefinition;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.graphql.GraphQlRequest;
import org.springframework.graphql.server.WebGraphQlHandler;
import org.springframework.graphql.server.WebGraphQlRequest;
import org.springframework.graphql.server.WebGraphQlResponse;
import org.springframework.graphql.server.support.SerializableGraphQlRequest;
import org.springframework.graphql.server.webmvc.GraphQlHttpHandler;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.util.StreamUtils;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /graphql} at its edges: a body that is not JSON by its Content-Type gets a 415 naming the types that
 * are, and a subscription gets a 400 naming the transports that carry one, where Spring would answer an empty 415
 * and a serialized publisher.
 */
class GraphQlOverPost {

    /**
     * What Spring for GraphQL's HTTP handler reads: JSON only. Its request predicate still matches the old {@code
     * application/graphql}, which the handler then refused with an empty 415.
     */
    static final List<MediaType> ACCEPTED = List.of(MediaType.APPLICATION_JSON);

    private final Execution execution;
    private final JsonMapper json;
    private final OperationRoles roles;

    GraphQlOverPost(Execution execution, JsonMapper json, OperationRoles roles) {
        this.execution = execution;
        this.json = json;
        this.roles = roles;
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
                .header("Accept-Post", "application/json")
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

    /**
     * The body, read up to its declared length when it has one: into an array of that length when it is small, in
     * chunks otherwise (the JDK's {@code readNBytes}). Reading to the end instead starts every body with an 8-16 KiB
     * buffer and copies what arrived into another, ~8 % of the bytes a small request allocated (bench/PROFILE.md).
     * A body that ends early comes back shorter (and fails as JSON); the size limit ({@link RequestSizeLimit}) still
     * counts what is read.
     */
    private static byte[] body(jakarta.servlet.http.HttpServletRequest request) throws IOException {
        long declared = request.getContentLengthLong();
        return declared >= 0 && declared < Integer.MAX_VALUE
                ? request.getInputStream().readNBytes((int) declared)
                : StreamUtils.copyToByteArray(request.getInputStream());
    }

    /** Runs the request unless it is a subscription, which plain HTTP cannot carry. */
    ServerResponse handle(ServerRequest request) throws Exception {
        byte[] body;
        try {
            body = body(request.servletRequest());
        } catch (IOException e) {
            return GraphQlOverGet.unreadable(e);
        }
        SerializableGraphQlRequest graphQlRequest;
        try {
            graphQlRequest = json.readValue(body, SerializableGraphQlRequest.class);
        } catch (JacksonException e) {
            return object(body) ? GraphQlOverGet.unreadable(e) : notOneObject();
        }
        if (graphQlRequest == null) {
            return notOneObject(); // JSON null
        }
        OperationRoles.Need need = roles.of(graphQlRequest.getQuery(), graphQlRequest.getOperationName());
        Optional<Refusal> refusal = Refusal.check(Caller.of(request.servletRequest()), need, false);
        if (refusal.isPresent()) {
            return GraphQlOverGet.refused(refusal.get());
        }
        if (need.operation() == OperationDefinition.Operation.SUBSCRIPTION) {
            return subscriptionRefused(request);
        }
        try {
            return execution.handle(request, graphQlRequest);
        } catch (ServerWebInputException e) {
            return GraphQlOverGet.unreadable(e);
        }
    }

    /** JSON, but a string, a number or an array (a batch): Spring's handler failed with a 500 on null. */
    private static ServerResponse notOneObject() {
        return GraphQlOverGet.error(
                HttpStatus.BAD_REQUEST,
                "The request body is not a valid GraphQL request: it must be one JSON object with a \"query\""
                        + " string, and optionally an \"operationName\" string and a \"variables\" object (one"
                        + " operation per request; batches are not taken).");
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

    /** False for a body that is JSON but not an object; true for an object, or for what is not JSON at all. */
    private boolean object(byte[] body) {
        try {
            JsonNode request = json.readTree(body);
            return request == null || request.isMissingNode() || request.isObject();
        } catch (JacksonException | IllegalArgumentException e) {
            return true;
        }
    }

    /**
     * Spring's handler entered with a request already read, by POST from its body once (Spring's own entry reads the
     * body again from a copy of the whole request, which cost about a tenth of a query's CPU) and by GET from its
     * parameters.
     */
    static final class Execution extends GraphQlHttpHandler {

        private final WebGraphQlHandler graphQl;

        Execution(WebGraphQlHandler graphQl) {
            super(graphQl);
            this.graphQl = graphQl;
        }

        /** Runs the request through Spring's handler and answers as Spring's own POST handler does. */
        ServerResponse handle(ServerRequest request, GraphQlRequest body) {
            return prepareResponse(request, execute(request, body));
        }

        /** Runs the request through Spring's handler; its id is the request id {@link RequestIdFilter} set. */
        Mono<WebGraphQlResponse> execute(ServerRequest request, GraphQlRequest body) {
            MultiValueMap<String, HttpCookie> cookies = new LinkedMultiValueMap<>();
            request.cookies()
                    .forEach((name, values) -> values.forEach(
                            cookie -> cookies.add(name, new HttpCookie(cookie.getName(), cookie.getValue()))));
            String id = request.attributes().get(RequestOrigin.REQUEST_ID) instanceof String requestId
                    ? requestId
                    : UUID.randomUUID().toString();
            return graphQl.handleRequest(new WebGraphQlRequest(
                    request.uri(),
                    request.headers().asHttpHeaders(),
                    cookies,
                    request.remoteAddress().orElse(null),
                    request.attributes(),
                    body,
                    id,
                    LocaleContextHolder.getLocale()));
        }
    }
}
