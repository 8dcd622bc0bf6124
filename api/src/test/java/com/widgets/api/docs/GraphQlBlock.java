package com.widgets.api.docs;

import static org.awaitility.Awaitility.await;

import com.widgets.api.GraphQlSockets;
import com.widgets.api.live.Subscribers;
import graphql.language.AstPrinter;
import graphql.language.Definition;
import graphql.language.Document;
import graphql.language.FragmentDefinition;
import graphql.language.OperationDefinition;
import graphql.parser.Parser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.context.ApplicationContext;
import org.springframework.graphql.test.tester.WebSocketGraphQlTester;
import reactor.core.Disposable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A docs' {@code graphql} block run as GraphiQL runs it: operation by operation (each with the block's fragments),
 * queries and mutations over HTTP, subscriptions over the WebSocket, signed in with the given token. A subscription
 * has started once the service counts one more subscriber or it sends its first event.
 */
final class GraphQlBlock {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration START = Duration.ofSeconds(10);

    private final HttpClient client = HttpClient.newHttpClient();
    private final int port;
    private final String token;
    private final ApplicationContext service;

    GraphQlBlock(int port, String token, ApplicationContext service) {
        this.port = port;
        this.token = token;
        this.service = service;
    }

    /** The answer to each operation of the block, in order; an answer with errors is an {@link Answer#error}. */
    List<Answer> run(DocBlock block) throws Exception {
        Document document = Parser.parse(block.text());
        List<FragmentDefinition> fragments = document.getDefinitionsOfType(FragmentDefinition.class);
        List<Answer> answers = new ArrayList<>();
        for (OperationDefinition operation : document.getDefinitionsOfType(OperationDefinition.class)) {
            List<Definition> definitions = new ArrayList<>(fragments);
            definitions.add(0, operation);
            String one = AstPrinter.printAst(
                    Document.newDocument().definitions(definitions).build());
            answers.add(
                    operation.getOperation() == OperationDefinition.Operation.SUBSCRIPTION
                            ? subscribe(one)
                            : send(one));
        }
        return answers;
    }

    private Answer send(String operation) throws Exception {
        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/graphql"))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("query", operation))))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(response.body());
        boolean error = response.statusCode() != 200
                || (body.has("errors") && !body.get("errors").isEmpty());
        return new Answer(operation, response.body(), error);
    }

    private Answer subscribe(String operation) {
        WebSocketGraphQlTester ws = GraphQlSockets.connect(port, Map.of("Authorization", "Bearer " + token));
        long before = Subscribers.count(service);
        AtomicReference<String> first = new AtomicReference<>();
        AtomicReference<String> failure = new AtomicReference<>();
        AtomicBoolean ended = new AtomicBoolean();
        Disposable subscription = ws.document(operation)
                .executeSubscription()
                .toFlux()
                .subscribe(
                        response -> {
                            try {
                                response.errors().verify();
                                first.compareAndSet(null, "(an event)");
                            } catch (AssertionError errors) {
                                failure.compareAndSet(null, errors.getMessage());
                            }
                        },
                        error -> failure.compareAndSet(null, String.valueOf(error)),
                        () -> ended.set(true));
        try {
            await().atMost(START)
                    .until(() -> failure.get() != null
                            || first.get() != null
                            || ended.get()
                            || Subscribers.count(service) > before);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            failure.set("the subscription did not start within " + START);
        } finally {
            subscription.dispose();
            GraphQlSockets.close(ws);
        }
        return failure.get() != null
                ? new Answer(operation, failure.get(), true)
                : new Answer(operation, first.get() == null ? "(subscribed)" : first.get(), false);
    }

    /** What one operation got back. */
    record Answer(String operation, String body, boolean error) {}
}
