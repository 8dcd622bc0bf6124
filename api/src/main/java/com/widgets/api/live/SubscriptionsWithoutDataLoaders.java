package com.widgets.api.live;

import graphql.execution.ExecutionContext;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.SimplePerformantInstrumentation;
import graphql.execution.instrumentation.dataloader.EmptyDataLoaderRegistryInstance;
import graphql.execution.instrumentation.parameters.InstrumentationExecutionParameters;
import graphql.language.OperationDefinition;
import org.springframework.stereotype.Component;

/**
 * Runs subscriptions without graphql-java's DataLoader dispatching, which in graphql-java 25.0 keeps a record of every
 * event a subscription delivered until the subscription ends (graphql-java#4314, fixed after 26.0): about 1 KB per
 * event per subscriber, 550 MB of heap in the slow-consumers drill, without bound for a subscription left open. With no
 * DataLoader registry an execution gets graphql-java's no-op dispatching. No field a subscription can select ({@code
 * WiringEvent}, {@code RewiringJob} and what they hold) is a {@code @BatchMapping}; one that becomes one needs this
 * lifted first, once Spring Boot brings a graphql-java with the fix.
 */
@Component
class SubscriptionsWithoutDataLoaders extends SimplePerformantInstrumentation {

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
