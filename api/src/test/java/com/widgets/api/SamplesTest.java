package com.widgets.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.api.live.Subscribers;
import com.widgets.db.Origin;
import com.widgets.db.PortRef;
import com.widgets.db.PortType;
import com.widgets.db.WiringStore;
import com.widgets.db.testing.WiringDatabase;
import graphql.language.OperationDefinition;
import graphql.parser.Parser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.graphql.test.tester.HttpGraphQlTester;
import org.springframework.graphql.test.tester.WebSocketGraphQlTester;
import org.springframework.jdbc.core.JdbcTemplate;

/** Every document in the repository's samples/ runs against the service, so the samples cannot rot. */
@ApiTest
class SamplesTest {

    @Autowired
    HttpGraphQlTester http;

    @Autowired
    WiringStore store;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    ApplicationContext context;

    @LocalServerPort
    int port;

    static Stream<String> samples() throws IOException {
        Resource[] found = new PathMatchingResourcePatternResolver().getResources("classpath:samples/*.graphql");
        assertThat(found).as("samples/*.graphql on the test classpath").isNotEmpty();
        return Arrays.stream(found).map(Resource::getFilename).sorted();
    }

    @BeforeEach
    void emptyDatabase() {
        new WiringDatabase(jdbc).reset();
    }

    /** Each sample creates what it uses, so it works on an empty database, as a newcomer's does. */
    @ParameterizedTest
    @MethodSource("samples")
    void runsWithoutErrorsOnAnEmptyDatabase(String sample) throws IOException {
        for (OperationDefinition operation : operations(read(sample))) {
            if (operation.getOperation() == OperationDefinition.Operation.SUBSCRIPTION) {
                runSubscription(read(sample), operation.getName());
            } else {
                runOperation(read(sample), operation.getName());
            }
        }
        assertThat(new WiringDatabase(jdbc).invariantViolations()).isEmpty();
    }

    /** A user pastes the samples in any order, some twice, into one database: none of them fails. */
    @Test
    void runInAnyOrderAndAgainOnOneDatabase() throws IOException {
        List<String> order = new ArrayList<>(samples().toList());
        order.addAll(samples().toList());
        Collections.shuffle(order, new Random(13));
        for (String sample : order) {
            for (OperationDefinition operation : operations(read(sample))) {
                if (operation.getOperation() != OperationDefinition.Operation.SUBSCRIPTION) {
                    runOperation(read(sample), operation.getName());
                }
            }
        }
        assertThat(new WiringDatabase(jdbc).invariantViolations()).isEmpty();
    }

    private void runOperation(String document, String operationName) {
        var response = http.document(document).operationName(operationName).execute();
        response.errors().verify();
        Map<String, Object> data = response.returnResponse().getData();
        assertThat(data).as(operationName).isNotNull().isNotEmpty();
        assertThat(data.values()).as(operationName).doesNotContainNull();
    }

    private static String read(String sample) throws IOException {
        return new PathMatchingResourcePatternResolver()
                .getResource("classpath:samples/" + sample)
                .getContentAsString(StandardCharsets.UTF_8);
    }

    private static List<OperationDefinition> operations(String document) {
        return Parser.parse(document).getDefinitionsOfType(OperationDefinition.class);
    }

    private void runSubscription(String document, String operationName) {
        WebSocketGraphQlTester ws = GraphQlSockets.connect(port);
        long before = Subscribers.count(context);
        var events = ws.document(document)
                .operationName(operationName)
                .executeSubscription()
                .toFlux("wiringChanged.type", String.class)
                .take(2)
                .collectList()
                .toFuture();
        Subscribers.awaitAtLeast(context, before + 1);
        store.unlink(new PortRef("SN-1", PortType.P), null, Origin.request("sample", "sample"));
        List<String> types =
                events.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
        assertThat(types).containsExactly("UNLINKED", "UNLINKED");
        ws.stop().block(Duration.ofSeconds(5));
    }
}
