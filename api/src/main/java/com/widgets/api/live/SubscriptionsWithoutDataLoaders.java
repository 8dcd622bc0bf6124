package com.widgets.api.live;

import com.widgets.api.access.OperationRoles;
import graphql.execution.ExecutionContext;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.SimplePerformantInstrumentation;
import graphql.execution.instrumentation.dataloader.EmptyDataLoaderRegistryInstance;
import graphql.execution.instrumentation.parameters.InstrumentationExecutionParameters;
import graphql.language.OperationDefinition;
import java.util.function.Function;
import org.dataloader.DataLoader;
import org.dataloader.DataLoaderRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.graphql.server.WebGraphQlInterceptor;
import org.springframework.graphql.server.WebGraphQlRequest;
import org.springframework.graphql.server.WebGraphQlResponse;
import org.springframework.stereotype.Component;
import org.springframework.util.function.SingletonSupplier;
import reactor.core.publisher.Mono;

/**
 * Runs subscriptions without DataLoaders. graphql-java 25.0's DataLoader dispatching keeps a record of every event a
 * subscription delivered until the subscription ends (graphql-java#4314, fixed after 26.0): about 1 KB per event per
 * subscriber, 550 MB of heap in the slow-consumers drill, without bound for a subscription left open. With no
 * DataLoader registry an execution gets graphql-java's no-op dispatching. And Spring for GraphQL registers every
 * {@code @BatchMapping} loader for each request, a subscription included, which then holds them (with their caches)
 * as long as it lasts, ~5 KiB of an idle subscription: a subscription's request gets a registry that takes none. No
 * field a subscription can select ({@code WiringEvent}, {@code RewiringJob} and what they hold) is a {@code
 * @BatchMapping}; one that becomes one needs this lifted first, once Spring Boot brings a graphql-java with the fix.
 */
@Component
class SubscriptionsWithoutDataLoaders extends SimplePerformantInstrumentation {

    /** Takes no loader: Spring registers into a request's registry when it has one, instead of making its own. */
    private static final DataLoaderRegistry NONE = new DataLoaderRegistry() {
        @Override
        public DataLoaderRegistry register(DataLoader<?, ?> dataLoader) {
            return this;
        }

        @Override
        public DataLoaderRegistry register(String key, DataLoader<?, ?> dataLoader) {
            return this;
        }

        @Override
        public <K, V> DataLoader<K, V> registerAndGet(String key, DataLoader<?, ?> dataLoader) {
            return null;
        }

        @Override
        public <K, V> DataLoader<K, V> computeIfAbsent(String key, Function<String, DataLoader<?, ?>> mappingFunction) {
            return null;
        }

        @Override
        public DataLoaderRegistry combine(DataLoaderRegistry registry) {
            return this;
        }
    };

    /**
     * Gives a subscription's request the registry that takes no loader; the other requests keep Spring's. The
     * operation's type comes from the access rules' cache of parsed documents, absent from {@code @GraphQlTest} slices
     * (which run no subscription).
     */
    @Component
    static class Registrations implements WebGraphQlInterceptor {

        /**
         * Looked up once: resolving the provider on every request walked the bean factory's candidates each time,
         * 3.6 % of a mutation's request-thread CPU (bench/PROFILE.md).
         */
        private final SingletonSupplier<OperationRoles> operations;

        Registrations(ObjectProvider<OperationRoles> operations) {
            this.operations = SingletonSupplier.of(operations::getIfAvailable);
        }

        @Override
        public Mono<WebGraphQlResponse> intercept(WebGraphQlRequest request, Chain chain) {
            OperationRoles roles = operations.get();
            if (roles != null
                    && roles.of(request.getDocument(), request.getOperationName())
                                    .operation()
                            == OperationDefinition.Operation.SUBSCRIPTION) {
                request.configureExecutionInput(
                        (input, builder) -> builder.dataLoaderRegistry(NONE).build());
            }
            return chain.next(request);
        }
    }

    @Override
    public ExecutionContext instrumentExecutionContext(
            ExecutionContext context, InstrumentationExecutionParameters parameters, InstrumentationState state) {
        if (context.getOperationDefinition().getOperation() != OperationDefinition.Operation.SUBSCRIPTION) {
            return context;
        }
        return context.transform(
                builder -> builder.dataLoaderRegistry(EmptyDataLoaderRegistryInstance.EMPTY_DATALOADER_REGISTRY));
    }
}
