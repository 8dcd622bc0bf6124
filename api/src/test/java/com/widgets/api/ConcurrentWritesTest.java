package com.widgets.api;

import static com.widgets.db.PortType.P;
import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.db.Origin;
import com.widgets.db.WiringStore;
import com.widgets.db.testing.WiringDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.graphql.ResponseError;
import org.springframework.graphql.test.tester.HttpGraphQlTester;
import org.springframework.jdbc.core.JdbcTemplate;

/** Clients racing over HTTP for the same port: exactly one link wins, the rest hear PORT_BUSY, the wiring stays sound. */
@ApiTest
class ConcurrentWritesTest {

    @Autowired
    HttpGraphQlTester http;

    @Autowired
    WiringStore store;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void racingLinksToOnePortLeaveExactlyOneWinner() throws Exception {
        WiringDatabase db = new WiringDatabase(jdbc);
        db.reset();
        Origin setup = Origin.request("setup", "setup");
        store.addWidget("HUB", "hub", Set.of(P), setup);
        int clients = 8;
        for (int i = 0; i < clients; i++) {
            store.addWidget("SPOKE-" + i, "spoke", Set.of(P), setup);
        }
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<List<ResponseError>>> results = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                String spoke = "SPOKE-" + i;
                Callable<List<ResponseError>> link = () -> http.documentName("link")
                        .variable("a", Map.of("serialNumber", spoke, "port", "P"))
                        .variable("b", Map.of("serialNumber", "HUB", "port", "P"))
                        .execute()
                        .returnResponse()
                        .getErrors();
                results.add(pool.submit(link));
            }
            int won = 0;
            int busy = 0;
            for (Future<List<ResponseError>> result : results) {
                List<ResponseError> errors = result.get();
                if (errors.isEmpty()) {
                    won++;
                } else {
                    assertThat(errors)
                            .singleElement()
                            .satisfies(e -> assertThat(e.getExtensions()).containsEntry("code", "PORT_BUSY"));
                    busy++;
                }
            }
            assertThat(won).isEqualTo(1);
            assertThat(busy).isEqualTo(clients - 1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(db.invariantViolations()).isEmpty();
        assertThat(db.replayHistory()).isEqualTo(db.snapshot());
    }
}
