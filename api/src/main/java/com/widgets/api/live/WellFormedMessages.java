package com.widgets.api.live;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.graphql.autoconfigure.GraphQlCorsProperties;
import org.springframework.boot.graphql.autoconfigure.GraphQlProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.graphql.server.WebGraphQlHandler;
import org.springframework.graphql.server.webmvc.GraphQlWebSocketHandler;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The WebSocket's graphql-transport-ws messages are checked for their shape before Spring for GraphQL reads them: it
 * turns a message that is not JSON, or a {@code subscribe} whose {@code query} is not a string, into an exception
 * that ends the connection with 1011 (server error) and logs a stack trace. Such a message is closed with the
 * protocol's 4400, its reason naming what was wrong. A message longer than the container's small buffer ({@link
 * LiveWebSocket}) arrives in parts and is joined first, up to {@code widgets.live.max-websocket-message}. Otherwise
 * Spring Boot's handler, as it would configure it.
 */
@Configuration(proxyBeanMethods = false)
class WellFormedMessages {

    private static final Logger log = LoggerFactory.getLogger(WellFormedMessages.class);

    /** The messages a client may send, in graphql-transport-ws. */
    private static final List<String> CLIENT_TYPES =
            List.of("connection_init", "ping", "pong", "subscribe", "complete");

    /** The session attribute holding the first parts of a text message that arrives in parts. */
    private static final String PARTS = WellFormedMessages.class.getName() + ".parts";

    /** The session attribute holding the session as Spring's handler sees it, with its sends coalesced. */
    private static final String COALESCED = WellFormedMessages.class.getName() + ".coalesced";

    @Bean
    GraphQlWebSocketHandler graphQlWebSocketHandler(
            WebGraphQlHandler handler,
            GraphQlProperties properties,
            GraphQlCorsProperties cors,
            JsonMapper json,
            LiveSettings live) {
        Duration initTimeout = properties.getWebsocket().getConnectionInitTimeout();
        Duration keepAlive = properties.getWebsocket().getKeepAlive();
        long limit = live.maxWebSocketMessage().toBytes();
        return new GraphQlWebSocketHandler(
                handler, new NextMessages(json), initTimeout, keepAlive, cors.toCorsConfiguration()) {
            /** Parts, so that the container's per-connection buffer can be small ({@link LiveWebSocket}). */
            @Override
            public boolean supportsPartialMessages() {
                return true;
            }

            /** Every message Spring sends goes through {@link CoalescedSends}. */
            @Override
            public void afterConnectionEstablished(WebSocketSession session) {
                WebSocketSession coalesced = CoalescedSends.of(session);
                session.getAttributes().put(COALESCED, coalesced);
                super.afterConnectionEstablished(coalesced);
            }

            @Override
            protected void handleTextMessage(WebSocketSession session, TextMessage part) throws Exception {
                if (session.getAttributes().get(COALESCED) instanceof WebSocketSession coalesced) {
                    session = coalesced;
                }
                String whole = whole(session, part, limit);
                if (whole == null) {
                    return;
                }
                TextMessage message = whole == part.getPayload() ? part : new TextMessage(whole);
                String problem = problem(json, message.getPayload());
                if (problem != null) {
                    log.debug("Closed WebSocket {} with 4400: {}", session.getId(), problem);
                    session.close(new CloseStatus(4400, "Invalid message: " + problem));
                    return;
                }
                super.handleTextMessage(session, message);
            }
        };
    }

    /**
     * The whole message once its last part has arrived, else null; a message longer than {@code limit} characters
     * closes the connection with 1009, as the container does.
     */
    private static String whole(WebSocketSession session, TextMessage part, long limit) throws IOException {
        if (!session.isOpen()) {
            return null; // closed for an earlier part's size; the rest of that message is still arriving
        }
        Object held = session.getAttributes().get(PARTS);
        if (held == null && part.isLast()) {
            return part.getPayload(); // the usual case: one part
        }
        StringBuilder parts = held instanceof StringBuilder builder ? builder : new StringBuilder();
        if (parts.length() + part.getPayloadLength() > limit) {
            session.getAttributes().remove(PARTS);
            session.close(new CloseStatus(
                    CloseStatus.TOO_BIG_TO_PROCESS.getCode(), "Message longer than " + limit + " characters"));
            return null;
        }
        parts.append(part.getPayload());
        if (!part.isLast()) {
            session.getAttributes().put(PARTS, parts);
            return null;
        }
        session.getAttributes().remove(PARTS);
        return parts.toString();
    }

    /** What is wrong with a message's shape, in a few words (a close reason holds 123 bytes), or null. */
    static String problem(JsonMapper json, String text) {
        JsonNode message;
        try {
            message = json.readTree(text);
        } catch (JacksonException e) {
            return "not JSON";
        }
        if (message == null || !message.isObject()) {
            return "not a JSON object";
        }
        if (!message.path("type").isString()) {
            return "'type' must be a string";
        }
        if (!CLIENT_TYPES.contains(message.get("type").asString())) {
            return "unknown type; a client sends " + String.join(", ", CLIENT_TYPES);
        }
        JsonNode id = message.path("id");
        if (!id.isMissingNode() && !id.isNull() && !id.isString()) {
            return "'id' must be a string"; // null is what Spring's own client sends with connection_init and ping
        }
        JsonNode payload = message.path("payload");
        if (!payload.isMissingNode() && !payload.isNull() && !payload.isObject()) {
            return "'payload' must be an object";
        }
        if (!"subscribe".equals(message.get("type").asString())) {
            return null;
        }
        if (!message.path("id").isString()) {
            return "a subscribe needs a string 'id'";
        }
        if (!payload.path("query").isString()) {
            return "'payload.query' must be a string";
        }
        for (String field : new String[] {"variables", "extensions"}) {
            JsonNode value = payload.path(field);
            if (!value.isMissingNode() && !value.isNull() && !value.isObject()) {
                return "'payload." + field + "' must be an object";
            }
        }
        JsonNode operation = payload.path("operationName");
        if (!operation.isMissingNode() && !operation.isNull() && !operation.isString()) {
            return "'payload.operationName' must be a string";
        }
        return null;
    }
}
