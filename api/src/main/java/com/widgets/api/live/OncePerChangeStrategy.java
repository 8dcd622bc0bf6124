package com.widgets.api.live;

import graphql.execution.DataFetcherExceptionHandler;
import graphql.execution.ExecutionContext;
import graphql.execution.ExecutionStrategyParameters;
import graphql.execution.FieldCollectorParameters;
import graphql.execution.FieldValueInfo;
import graphql.execution.MergedField;
import graphql.execution.MergedSelectionSet;
import graphql.execution.SubscriptionExecutionStrategy;
import graphql.language.Directive;
import graphql.language.Field;
import graphql.schema.GraphQLEnumType;
import graphql.schema.GraphQLFieldDefinition;
import graphql.schema.GraphQLObjectType;
import graphql.schema.GraphQLScalarType;
import graphql.schema.GraphQLType;
import graphql.schema.GraphQLTypeUtil;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import tools.jackson.databind.json.JsonMapper;

/**
 * graphql-java's subscription execution, except that a {@code wiringChanged} event's selection is executed once per
 * change for all the subscribers whose selections are the same, not once per subscriber: the first to deliver the
 * change executes it, the others take its result ({@link ExecutedSelections}). Two selections are the same when they
 * select the same fields under the same response keys in the same order, once fragments, {@code @skip} and {@code
 * @include} are resolved with the subscription's variables — what the subscription field's result is made of; its
 * own alias and arguments only choose the events and name the result, which graphql-java does per subscriber after
 * this. A selection with field arguments or other directives, and an execution that had errors (their locations are
 * the subscriber's document's), are executed per subscriber as before. Nothing a shared selection can reach depends on
 * the caller: every field under {@code WiringEvent} is a property of the event.
 */
final class OncePerChangeStrategy extends SubscriptionExecutionStrategy {

    /** Where a subscription keeps its selection's shape: its GraphQL context, one per subscription. */
    private static final String SHAPE = OncePerChangeStrategy.class.getName() + ".shape";
    /** The shape of a selection that is never shared. */
    private static final String OWN = "";

    private final LongAdder executed = new LongAdder();
    private final LongAdder shared = new LongAdder();

    private final JsonMapper json;

    OncePerChangeStrategy(DataFetcherExceptionHandler exceptionHandler, JsonMapper json) {
        super(exceptionHandler);
        this.json = json;
    }

    @Override
    protected FieldValueInfo completeField(
            ExecutionContext context, ExecutionStrategyParameters parameters, Object fetchedValue) {
        if (!(fetchedValue instanceof LiveEvent event) || parameters.getPath().getLevel() != 1) {
            return super.completeField(context, parameters, fetchedValue);
        }
        String shape = shapeOf(context, parameters);
        FieldValueInfo[] own = new FieldValueInfo[1];
        Object result = shape.isEmpty()
                ? null
                : event.selections().shared(shape, () -> {
                    own[0] = super.completeField(context, parameters, fetchedValue);
                    return shareable(own[0], parameters);
                });
        if (own[0] == null && result != null) {
            shared.increment();
            return new FieldValueInfo(FieldValueInfo.CompleteValueType.OBJECT, result);
        }
        executed.increment();
        if (own[0] == null) {
            return super.completeField(context, parameters, fetchedValue);
        }
        // the one that executed it delivers the shared value too: its JSON is then made once, not twice
        return result != null ? new FieldValueInfo(FieldValueInfo.CompleteValueType.OBJECT, result) : own[0];
    }

    /**
     * The completed value to hand to the next subscriber, encoded once for all of them ({@link EncodedOnce}), or null
     * when it must execute its own.
     */
    @SuppressWarnings("unchecked")
    private Object shareable(FieldValueInfo info, ExecutionStrategyParameters parameters) {
        boolean clean = parameters.getDeferredCallContext() == null
                || parameters.getDeferredCallContext().getErrors().isEmpty();
        if (!clean
                || info.isFutureValue()
                || info.getCompleteValueType() != FieldValueInfo.CompleteValueType.OBJECT
                || !(info.getFieldValueObject() instanceof Map<?, ?> value)) {
            return null;
        }
        return new EncodedOnce((Map<String, Object>) value, json);
    }

    private String shapeOf(ExecutionContext context, ExecutionStrategyParameters parameters) {
        return context.getGraphQLContext().computeIfAbsent(SHAPE, key -> {
            if (context.hasIncrementalSupport()) {
                return OWN;
            }
            MergedField field = parameters.getField();
            GraphQLFieldDefinition definition =
                    context.getGraphQLSchema().getSubscriptionType().getFieldDefinition(field.getName());
            if (definition == null
                    || !(GraphQLTypeUtil.unwrapAll(definition.getType()) instanceof GraphQLObjectType type)) {
                return OWN;
            }
            StringBuilder shape = new StringBuilder();
            return describe(context, type, field, shape) ? shape.toString() : OWN;
        });
    }

    /** Appends what {@code field}'s selection on {@code type} is made of; false when it is not to be shared. */
    private boolean describe(ExecutionContext context, GraphQLObjectType type, MergedField field, StringBuilder shape) {
        MergedSelectionSet selected = fieldCollector.collectFields(
                FieldCollectorParameters.newParameters()
                        .schema(context.getGraphQLSchema())
                        .objectType(type)
                        .fragments(context.getFragmentsByName())
                        .variables(context.getCoercedVariables().toMap())
                        .graphQLContext(context.getGraphQLContext())
                        .build(),
                field,
                false);
        shape.append('{');
        for (String key : selected.getKeys()) {
            MergedField selection = selected.getSubField(key);
            for (Field each : selection.getFields()) {
                if (!each.getArguments().isEmpty()) {
                    return false;
                }
                for (Directive directive : each.getDirectives()) {
                    if (!directive.getName().equals("skip")
                            && !directive.getName().equals("include")) {
                        return false;
                    }
                }
            }
            shape.append(key).append(':').append(selection.getName());
            if (!selection.getName().equals("__typename")) {
                GraphQLFieldDefinition definition = type.getFieldDefinition(selection.getName());
                if (definition == null) {
                    return false;
                }
                GraphQLType value = GraphQLTypeUtil.unwrapAll(definition.getType());
                if (value instanceof GraphQLObjectType object) {
                    if (!describe(context, object, selection, shape)) {
                        return false;
                    }
                } else if (!(value instanceof GraphQLScalarType) && !(value instanceof GraphQLEnumType)) {
                    return false;
                }
            }
            shape.append(' ');
        }
        shape.append('}');
        return true;
    }

    /** Selections executed on a change, per subscriber or first of a shared one. */
    long executed() {
        return executed.sum();
    }

    /** Deliveries that took a selection another subscriber had executed on the same change. */
    long shared() {
        return shared.sum();
    }
}
