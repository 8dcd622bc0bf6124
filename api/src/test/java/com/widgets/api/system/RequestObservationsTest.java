package com.widgets.api.system;

import static org.assertj.core.api.Assertions.assertThat;

import graphql.schema.DataFetcher;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;

/** Data fetchers are wrapped only when the registry would record their observations. */
class RequestObservationsTest {

    @Test
    void withFieldObservationsOffAFetcherIsLeftAsItIs() {
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationPredicate((name, context) -> !name.startsWith("graphql.datafetcher"));
        var instrumentation = new RequestObservations.Instrumentation(registry, null, null, null);
        DataFetcher<String> fetcher = environment -> "value";

        assertThat(instrumentation.observesFields()).isFalse();
        assertThat(instrumentation.instrumentDataFetcher(fetcher, null, null)).isSameAs(fetcher);
    }

    @Test
    void withFieldObservationsOnSpringsInstrumentationDecides() {
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(context -> true);

        assertThat(new RequestObservations.Instrumentation(registry, null, null, null).observesFields())
                .isTrue();
    }

    @Test
    void aRegistryThatRecordsNothingObservesNoFields() {
        assertThat(new RequestObservations.Instrumentation(ObservationRegistry.NOOP, null, null, null).observesFields())
                .isFalse();
    }
}
