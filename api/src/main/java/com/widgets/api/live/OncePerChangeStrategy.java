package com.widgets.api.live;

import graphql.ExecutionResult;
import graphql.ExecutionResultImpl;
import graphql.execution.DataFetcherExceptionHandler;
import graphql.execution.DataLoaderDispatchStrategy;
import graphql.execution.ExecutionContext;
import graphql.execution.ExecutionStrategyParameters;
import graphql.execution.FetchedValue;
import graphql.execution.FieldCollectorParameters;
import graphql.execution.FieldValueInfo;
import graphql.execution.MergedField;
import graphql.execution.MergedSelectionSet;
import graphql.execution.NonNullableFieldValidator;
import graphql.execution.ResultPath;
import graphql.execution.SubscriptionExecutionStrategy;
import graphql.execution.incremental.AlternativeCallContext;
import graphql.execution.instrumentation.ChainedInstrumentation;
import graphql.execution.instrumentation.Instrumentation;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.SimplePerformantInstrumentation;
import graphql.execution.instrumentation.parameters.InstrumentationExecutionParameters;
import graphql.execution.instrumentation.parameters.InstrumentationFieldParameters;
import graphql.execution.instrumentation.parameters.InstrumentationReactiveResultsParameters;
import graphql.language.Directive;
import graphql.language.Field;
import graphql.schema.GraphQLEnumType;
import graphql.schema.GraphQLFieldDefinition;
import graphql.schema.GraphQLObjectType;
import graphql.schema.GraphQLScalarType;
import graphql.schema.GraphQLType;
import graphql.schema.GraphQLTypeUtil;
import java.lang.reflect.Method;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
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
 *
 * <p>A subscription whose selection can be shared is also delivered without graphql-java's per-event mapping (a new
 * execution context, parameters, futures and instrumentation contexts per subscriber per event: most of what
 * delivering allocated, bench/PROFILE.md): its events are taken from the source stream here, and an event whose
 * selection another subscriber has executed becomes its message directly; one not yet executed goes through the
 * same field completion graphql-java runs per event. That path is taken only when no instrumentation has per-event
 * hooks (it would not call them) and the execution dispatches no DataLoaders ({@code
 * DataLoadersWhereSelected}); otherwise graphql-java maps each event as before.
 */
final class OncePerChangeStrategy extends SubscriptionExecutionStrategy {

    /** Where a subscription keeps its selection's shape: its GraphQL context, one per subscription. */
    private static final String SHAPE = OncePerChangeStrategy.class.getName() + ".shape";
    /** The shape of a selection that is never shared. */
    private static final String OWN = "";

    /** Where {@link #fetchField} leaves a direct subscription's source of events for {@link #execute}. */
    private static final String EVENTS = OncePerChangeStrategy.class.getName() + ".events";

    private final LongAdder executed = new LongAdder();
    private final LongAdder shared = new LongAdder();
    private final LongAdder direct = new LongAdder();
    /** Whether an instrumentation (by identity: one per schema) has hooks a direct subscription would not call. */
    private final Map<Instrumentation, Boolean> hooked = Collections.synchronizedMap(new IdentityHashMap<>());

    private final JsonMapper json;

    OncePerChangeStrategy(DataFetcherExceptionHandler exceptionHandler, JsonMapper json) {
        super(exceptionHandler);
        this.json = json;
    }

    @Override
    public CompletableFuture<ExecutionResult> execute(
            ExecutionContext context, ExecutionStrategyParameters parameters) {
        // fetchField has left the events there when this subscription is direct
        return super.execute(context, parameters).thenApply(result -> {
            Publisher<?> events = context.getGraphQLContext().get(EVENTS);
            if (events == null) {
                return result;
            }
            context.getGraphQLContext().delete(EVENTS);
            direct.increment();
            return ExecutionResultImpl.newExecutionResult()
                    .from(result)
                    .data(deliveries(context, parameters, events))
                    .build();
        });
    }

    /**
     * The subscription field's source of events, fetched as graphql-java fetches it; for a direct subscription, kept
     * for {@link #execute}, and an empty stream handed to graphql-java in its place (its mapping of that stream is
     * never subscribed to).
     */
    @Override
    protected Object fetchField(ExecutionContext context, ExecutionStrategyParameters parameters) {
        Object fetched = super.fetchField(context, parameters);
        if (parameters.getPath().getLevel() != 1
                || !direct(context)
                || shapeOf(context, parameters).equals(OWN)) {
            return fetched;
        }
        return fetched instanceof CompletableFuture<?> later
                ? later.thenApply(value -> keep(context, value))
                : keep(context, fetched);
    }

    private static Object keep(ExecutionContext context, Object fetched) {
        if (!(FetchedValue.getFetchedValue(fetched) instanceof Publisher<?> events)) {
            return fetched;
        }
        context.getGraphQLContext().put(EVENTS, events);
        return fetched instanceof FetchedValue value
                ? new FetchedValue(Flux.empty(), value.getErrors(), value.getLocalContext())
                : Flux.empty();
    }

    /** Each event's message, in order, one event requested at a time (as graphql-java's own mapping requests them). */
    private Publisher<ExecutionResult> deliveries(
            ExecutionContext context, ExecutionStrategyParameters parameters, Publisher<?> events) {
        MergedSelectionSet fields = parameters.getFields();
        MergedField field = fields.getSubField(fields.getKeys().get(0));
        ResultPath path = parameters.getPath().segment(mkNameForPath(field));
        ExecutionStrategyParameters fieldParameters =
                parameters.transform(builder -> builder.field(field).path(path));
        String key = field.getSingleField().getResultKey();
        String shape = shapeOf(context, fieldParameters);
        return Flux.from(events)
                .concatMap(
                        event -> {
                            CompletableFuture<ExecutionResult> next =
                                    deliver(context, fieldParameters, key, shape, event);
                            return next.isDone() && !next.isCompletedExceptionally()
                                    ? Mono.just(next.join())
                                    : Mono.fromFuture(next);
                        },
                        0);
    }

    private CompletableFuture<ExecutionResult> deliver(
            ExecutionContext context,
            ExecutionStrategyParameters fieldParameters,
            String key,
            String shape,
            Object event) {
        if (event instanceof LiveEvent live) {
            Object ready = live.selections().known(shape);
            if (ready != null) {
                shared.increment();
                return CompletableFuture.completedFuture(
                        new ExecutionResultImpl(Collections.singletonMap(key, ready), List.of()));
            }
        }
        // what graphql-java runs per event: a context whose root is the event, and the field completed on it
        ExecutionContext eventContext =
                context.transform(builder -> builder.root(event).resetErrors());
        ExecutionStrategyParameters eventParameters = fieldParameters.transform(
                builder -> builder.nonNullFieldValidator(new NonNullableFieldValidator(eventContext))
                        .deferredCallContext(new AlternativeCallContext(1, 1)));
        FieldValueInfo value = completeField(
                eventContext, eventParameters, unboxPossibleDataFetcherResult(eventContext, eventParameters, event));
        return value.getFieldValueFuture()
                .thenApply(data -> new ExecutionResultImpl(
                        Collections.singletonMap(key, data),
                        eventParameters.getDeferredCallContext().getErrors()));
    }

    /** Whether this subscription's events may skip graphql-java's per-event mapping (see the class comment). */
    private boolean direct(ExecutionContext context) {
        return context.getDataLoaderDispatcherStrategy() == DataLoaderDispatchStrategy.NO_OP
                && !hooked.computeIfAbsent(context.getInstrumentation(), OncePerChangeStrategy::perEventHooks);
    }

    /**
     * Whether {@code instrumentation}, or one it chains, overrides what graphql-java calls per subscription event or
     * around a subscription's stream of results: a direct subscription would not call it.
     */
    static boolean perEventHooks(Instrumentation instrumentation) {
        if (instrumentation instanceof ChainedInstrumentation chained) {
            return chained.getInstrumentations().stream().anyMatch(OncePerChangeStrategy::perEventHooks);
        }
        Class<?> type = instrumentation.getClass();
        try {
            for (Method hook : List.of(
                    type.getMethod(
                            "beginSubscribedFieldEvent",
                            InstrumentationFieldParameters.class,
                            InstrumentationState.class),
                    type.getMethod(
                            "instrumentExecutionResult",
                            ExecutionResult.class,
                            InstrumentationExecutionParameters.class,
                            InstrumentationState.class),
                    type.getMethod(
                            "beginReactiveResults",
                            InstrumentationReactiveResultsParameters.class,
                            InstrumentationState.class))) {
                Class<?> declaredBy = hook.getDeclaringClass();
                if (declaredBy != Instrumentation.class && declaredBy != SimplePerformantInstrumentation.class) {
                    return true;
                }
            }
            return false;
        } catch (NoSuchMethodException e) {
            return true;
        }
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

    /** Subscriptions delivered without graphql-java's per-event mapping. */
    long direct() {
        return direct.sum();
    }
}
