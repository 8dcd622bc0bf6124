package com.widgets.api.live;

import graphql.execution.DataFetcherExceptionHandler;
import graphql.execution.ExecutionContext;
import graphql.execution.ExecutionStrategy;
import graphql.execution.SubscriptionExecutionStrategy;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.SimplePerformantInstrumentation;
import graphql.execution.instrumentation.parameters.InstrumentationExecutionParameters;
import graphql.language.OperationDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs subscriptions with {@link OncePerChangeStrategy}, so that a change costs one GraphQL execution per distinct
 * selection instead of one per subscriber. The strategy takes the place of graphql-java's own for each subscription,
 * with the same exception handler (Spring's, which maps errors to GraphQL errors); graphql-java offers no getter for
 * it, so it is read from the strategy it replaces, once. Should that ever fail, subscriptions run as before.
 */
@Component
class OncePerChange extends SimplePerformantInstrumentation {

    private static final Logger log = LoggerFactory.getLogger(OncePerChange.class);

    private final JsonMapper json;
    private volatile ExecutionStrategy replaced;
    private volatile OncePerChangeStrategy strategy;

    OncePerChange(JsonMapper json) {
        this.json = json;
    }

    @Override
    public ExecutionContext instrumentExecutionContext(
            ExecutionContext context, InstrumentationExecutionParameters parameters, InstrumentationState state) {
        if (context.getOperationDefinition().getOperation() != OperationDefinition.Operation.SUBSCRIPTION) {
            return context;
        }
        OncePerChangeStrategy once = strategyFor(context.getSubscriptionStrategy());
        return once == null ? context : context.transform(builder -> builder.subscriptionStrategy(once));
    }

    private OncePerChangeStrategy strategyFor(ExecutionStrategy original) {
        if (original == replaced) {
            return strategy;
        }
        synchronized (this) {
            if (original != replaced) {
                strategy =
                        original.getClass() == SubscriptionExecutionStrategy.class ? replacing(original, json) : null;
                replaced = original;
            }
            return strategy;
        }
    }

    private static OncePerChangeStrategy replacing(ExecutionStrategy original, JsonMapper json) {
        try {
            java.lang.reflect.Field handler = ExecutionStrategy.class.getDeclaredField("dataFetcherExceptionHandler");
            handler.setAccessible(true);
            return new OncePerChangeStrategy((DataFetcherExceptionHandler) handler.get(original), json);
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("Subscriptions execute each change once per subscriber: {}", e.toString());
            return null;
        }
    }

    /** Selections executed on changes so far (tests compare it with what was delivered). */
    long executed() {
        OncePerChangeStrategy once = strategy;
        return once == null ? 0 : once.executed();
    }

    /** Subscriptions delivered without graphql-java's per-event mapping. */
    long direct() {
        OncePerChangeStrategy once = strategy;
        return once == null ? 0 : once.direct();
    }

    /** Deliveries that took another subscriber's execution of the same selection on the same change. */
    long shared() {
        OncePerChangeStrategy once = strategy;
        return once == null ? 0 : once.shared();
    }
}
