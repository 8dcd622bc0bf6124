package com.widgets.api.system;

import graphql.ExecutionInput;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.parameters.InstrumentationExecutionParameters;
import graphql.execution.instrumentation.parameters.InstrumentationFieldFetchParameters;
import graphql.schema.DataFetcher;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ObjectProvider;
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
 * profile of the widget query (bench/PROFILE.md). Takes the place of Spring Boot's bean of the same type.
 */
@Configuration(proxyBeanMethods = false)
class RequestObservations {

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
