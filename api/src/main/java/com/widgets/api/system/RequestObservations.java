package com.widgets.api.system;

import graphql.ExecutionInput;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.parameters.InstrumentationExecutionParameters;
import graphql.execution.instrumentation.parameters.InstrumentationFieldFetchParameters;
import graphql.schema.DataFetcher;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.graphql.observation.DataFetcherObservationConvention;
import org.springframework.graphql.observation.DataLoaderObservationConvention;
import org.springframework.graphql.observation.ExecutionRequestObservationConvention;
import org.springframework.graphql.observation.GraphQlObservationInstrumentation;

/**
 * Spring for GraphQL's observation instrumentation ({@code graphql.request}, {@code graphql.dataloader}, and {@code
 * graphql.datafetcher} when enabled), without its wrapper around every data fetcher call while per-field observations
 * are off, as they are by default ({@code management.observations.enable.graphql.datafetcher=false}). With them off the
 * wrapper still built an observation context, asked the registry for a no-op observation and copied the field's
 * {@code DataFetchingEnvironment} with a new local context, on every call: 5 % of the request threads' CPU in a
 * profile of the widget query (bench/PROFILE.md). Takes the place of Spring Boot's bean of the same type. Also keeps
 * the request timers without their in-flight long-task timers ({@link #noRequestsInFlightTimers()}).
 */
@Configuration(proxyBeanMethods = false)
class RequestObservations {

    /** The in-flight long-task timers Micrometer's handler would start beside the two request timers. */
    static final Set<String> IN_FLIGHT = Set.of("http.server.requests.active", "graphql.request.active");

    /**
     * No in-flight long-task timers beside the request timers ({@code http.server.requests.active}, {@code
     * graphql.request.active}): Micrometer's default handler started one per request, a concurrent skip-list insert
     * and remove with a meter lookup, ~1.5 % of the widget query's CPU (bench/PROFILE.md). Denied by name, so the
     * handler gets a no-op one; the other observations keep theirs ({@code spring_batch_job_active_seconds}, the job
     * runs executing on this instance). {@code widgets.metrics.requests-in-flight=true} has them back.
     */
    @Bean
    @ConditionalOnProperty(name = "widgets.metrics.requests-in-flight", havingValue = "false", matchIfMissing = true)
    MeterFilter noRequestsInFlightTimers() {
        return MeterFilter.deny(id -> IN_FLIGHT.contains(id.getName()));
    }

    @Bean
    GraphQlObservationInstrumentation graphQlObservationInstrumentation(
            ObservationRegistry registry,
            ObjectProvider<ExecutionRequestObservationConvention> requests,
            ObjectProvider<DataFetcherObservationConvention> fields,
            ObjectProvider<DataLoaderObservationConvention> loaders) {
        return new Instrumentation(
                registry, requests.getIfAvailable(), fields.getIfAvailable(), loaders.getIfAvailable());
    }

    static final class Instrumentation extends GraphQlObservationInstrumentation {

        /** The observation's name, as Spring's documentation of it gives it. */
        static final String FIELD_OBSERVATION = "graphql.datafetcher";

        private final boolean observeFields;

        Instrumentation(
                ObservationRegistry registry,
                ExecutionRequestObservationConvention requests,
                DataFetcherObservationConvention fields,
                DataLoaderObservationConvention loaders) {
            super(registry, requests, fields, loaders);
            // The registry's predicates (Spring Boot's management.observations.enable.* among them) decide by name.
            this.observeFields =
                    !Observation.createNotStarted(FIELD_OBSERVATION, registry).isNoop();
        }

        /**
         * An operation that loads nothing ({@link DataLoadersWhereSelected}) keeps its registry that takes no loader:
         * Spring's instrumentation would copy it into a new registry for each request, with nothing in it to observe.
         */
        @Override
        public ExecutionInput instrumentExecutionInput(
                ExecutionInput input, InstrumentationExecutionParameters parameters, InstrumentationState state) {
            return input.getDataLoaderRegistry() == DataLoadersWhereSelected.NONE
                    ? input
                    : super.instrumentExecutionInput(input, parameters, state);
        }

        @Override
        public DataFetcher<?> instrumentDataFetcher(
                DataFetcher<?> dataFetcher,
                InstrumentationFieldFetchParameters parameters,
                InstrumentationState state) {
            return observeFields ? super.instrumentDataFetcher(dataFetcher, parameters, state) : dataFetcher;
        }

        boolean observesFields() {
            return observeFields;
        }
    }
}
