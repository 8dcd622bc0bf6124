package com.widgets.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.db.WiringStore;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.client.RestClient;

/** The packaged service starts on the embedded database with its schema migrated and reports itself healthy. */
@ApiTest
class ServiceStartsTest {

    @LocalServerPort
    int port;

    @Autowired
    WiringStore store;

    @Autowired
    ObservationRegistry observations;

    @Test
    void startsHealthyOnTheEmbeddedDatabase() {
        String health = RestClient.create("http://localhost:" + port)
                .get()
                .uri("/actuator/health")
                .retrieve()
                .body(String.class);
        assertThat(health).contains("\"status\":\"UP\"");
        assertThat(store.widgetsAfter(null, 1)).isNotNull();
    }

    @Autowired
    HealthEndpointGroups healthGroups;

    @Test
    void answersTheLivenessAndReadinessProbesReadinessIncludingTheDatabase() {
        RestClient http = RestClient.create("http://localhost:" + port);
        for (String probe : new String[] {"liveness", "readiness"}) {
            String health =
                    http.get().uri("/actuator/health/" + probe).retrieve().body(String.class);
            assertThat(health).as(probe).contains("\"status\":\"UP\"");
        }
        assertThat(healthGroups.get("readiness").isMember("db")).isTrue();
        assertThat(healthGroups.get("liveness").isMember("db"))
                .as("a database outage is no reason to restart the service")
                .isFalse();
    }

    @Test
    void observesEachGraphQlRequestButNotEachDataFetcherByDefault() {
        Observation request = Observation.start("graphql.request", observations);
        Observation perField = Observation.start("graphql.datafetcher", observations);
        assertThat(request.isNoop()).isFalse();
        assertThat(perField.isNoop()).isTrue();
        request.stop();
        perField.stop();
    }
}
