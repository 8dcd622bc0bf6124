package com.widgets.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.api.live.Subscribers;
import com.widgets.db.Origin;
import com.widgets.db.PortRef;
import com.widgets.db.PortType;
import com.widgets.db.WiringStore;
import com.widgets.db.testing.WiringDatabase;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
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
import org.springframework.web.reactive.socket.client.StandardWebSocketClient;

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
    void wiring() {
        Fixtures.sampleWiring(jdbc, store);
    }

    @ParameterizedTest
    @MethodSource("samples")
    void runsWithoutErrors(String sample) throws IOException {
        String document = new PathMatchingResourcePatternResolver()
                .getResource("classpath:samples/" + sample)
                .getContentAsString(StandardCharsets.UTF_8);
        if (document.contains("subscription ")) {
            runSubscription(document);
        } else {
            var response = http.document(document).execute();
            response.errors().verify();
            Map<String, Object> data = response.returnResponse().getData();
            assertThat(data).isNotNull().isNotEmpty();
            assertThat(data.values()).doesNotContainNull();
        }
        assertThat(new WiringDatabase(jdbc).invariantViolations()).isEmpty();
    }

    private void runSubscription(String document) {
        WebSocketGraphQlTester ws = WebSocketGraphQlTester.builder(
                        URI.create("ws://localhost:" + port + "/graphql"), new StandardWebSocketClient())
                .build();
        int before = Subscribers.count(context);
        var events = ws.document(document)
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
