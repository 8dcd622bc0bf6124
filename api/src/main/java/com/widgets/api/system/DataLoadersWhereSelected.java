package com.widgets.api.system;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.widgets.api.access.OperationRoles;
import graphql.GraphQLContext;
import graphql.execution.ExecutionContext;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.SimplePerformantInstrumentation;
import graphql.execution.instrumentation.dataloader.EmptyDataLoaderRegistryInstance;
import graphql.execution.instrumentation.parameters.InstrumentationExecutionParameters;
import graphql.language.Document;
import graphql.language.Field;
import graphql.language.FragmentDefinition;
import graphql.language.FragmentSpread;
import graphql.language.InlineFragment;
import graphql.language.OperationDefinition;
import graphql.language.Selection;
import graphql.language.SelectionSet;
import graphql.parser.Parser;
import graphql.schema.GraphQLCompositeType;
import graphql.schema.GraphQLFieldDefinition;
import graphql.schema.GraphQLFieldsContainer;
import graphql.schema.GraphQLInterfaceType;
import graphql.schema.GraphQLObjectType;
import graphql.schema.GraphQLSchema;
import graphql.schema.GraphQLType;
import graphql.schema.GraphQLTypeUtil;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.dataloader.DataLoader;
import org.dataloader.DataLoaderRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.graphql.execution.BatchLoaderRegistry;
import org.springframework.graphql.execution.GraphQlSource;
import org.springframework.graphql.server.WebGraphQlInterceptor;
import org.springframework.graphql.server.WebGraphQlRequest;
import org.springframework.graphql.server.WebGraphQlResponse;
import org.springframework.stereotype.Component;
import org.springframework.util.function.SingletonSupplier;
import reactor.core.publisher.Mono;

/**
 * Gives an operation DataLoaders only when it selects a field one loads. Spring for GraphQL registers every {@code
 * @BatchMapping} loader (five here) for each request, and graphql-java then dispatches them field by field, level by
 * level: for the {@code widget} query and {@code link}/{@code unlink}, which load nothing, that was ~8 % of the bytes a
 * request allocated and ~4 % of its CPU (bench/PROFILE.md). An operation that selects no loaded field gets a registry
 * that takes none, and graphql-java's no-op dispatching.
 *
 * <p>Subscriptions never get them, whatever they select: graphql-java 25.0's DataLoader dispatching keeps a record of
 * every event a subscription delivered until it ends (graphql-java#4314, fixed after 26.0), about 1 KB per event per
 * subscriber, 550 MB of heap in the slow-consumers drill; and the loaders a subscription holds (with their caches)
 * last as long as it does. No field a subscription can select ({@code WiringEvent}, {@code RewiringJob} and what they
 * hold) is a {@code @BatchMapping}; one that becomes one needs this lifted first, once Spring Boot brings a
 * graphql-java with the fix.
 */
@Component
class DataLoadersWhereSelected extends SimplePerformantInstrumentation {

    /** Takes no loader: Spring registers into a request's registry when it has one, instead of making its own. */
    static final DataLoaderRegistry NONE = new DataLoaderRegistry() {
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
     * Gives the requests that need no loader the registry that takes none; the others keep Spring's. The operation's
     * type comes from the access rules' cache of parsed documents, absent from {@code @GraphQlTest} slices (which then
     * keep Spring's registry for every request, and run no subscription).
     */
    @Component
    static class Registrations implements WebGraphQlInterceptor {

        /**
         * Looked up once: resolving the providers on every request walked the bean factory's candidates each time,
         * 3.6 % of a mutation's request-thread CPU (bench/PROFILE.md).
         */
        private final SingletonSupplier<OperationRoles> operations;

        private final SingletonSupplier<LoadedFields> loaded;

        Registrations(
                ObjectProvider<OperationRoles> operations,
                ObjectProvider<GraphQlSource> source,
                ObjectProvider<BatchLoaderRegistry> loaders) {
            this.operations = SingletonSupplier.of(operations::getIfAvailable);
            this.loaded =
                    SingletonSupplier.of(() -> LoadedFields.of(source.getIfAvailable(), loaders.getIfAvailable()));
        }

        @Override
        public Mono<WebGraphQlResponse> intercept(WebGraphQlRequest request, Chain chain) {
            OperationRoles roles = operations.get();
            if (roles != null) {
                OperationDefinition.Operation operation = roles.of(request.getDocument(), request.getOperationName())
                        .operation();
                if (operation == OperationDefinition.Operation.SUBSCRIPTION
                        || (operation != null
                                && !loaded.obtain().selectedBy(request.getDocument(), request.getOperationName()))) {
                    request.configureExecutionInput(
                            (input, builder) -> builder.dataLoaderRegistry(NONE).build());
                }
            }
            return chain.next(request);
        }
    }

    /**
     * An execution with the registry above (which the request observations leave as it is) or of a subscription runs
     * with graphql-java's empty one, and so with no dispatching at all.
     */
    @Override
    public ExecutionContext instrumentExecutionContext(
            ExecutionContext context, InstrumentationExecutionParameters parameters, InstrumentationState state) {
        if (context.getDataLoaderRegistry() != NONE
                && context.getOperationDefinition().getOperation() != OperationDefinition.Operation.SUBSCRIPTION) {
            return context;
        }
        return context.transform(
                builder -> builder.dataLoaderRegistry(EmptyDataLoaderRegistryInstance.EMPTY_DATALOADER_REGISTRY));
    }

    /**
     * The fields a DataLoader loads, as Spring names its {@code @BatchMapping} loaders ({@code Type.field}), and which
     * operations select one, kept per document text like the access rules' analysis.
     */
    static final class LoadedFields {

        private static final int MAX_CACHED_LENGTH = 16 * 1024;

        private record Key(String query, String operationName) {}

        private final GraphQLSchema schema;
        /** Null when a loader is not named after a field: then every operation may use it. */
        private final Set<String> coordinates;

        private final Cache<Key, Boolean> selections = Caffeine.newBuilder()
                .maximumWeight(4L * 1024 * 1024)
                .weigher((Key key, Boolean selects) -> key.query().length())
                .build();

        LoadedFields(GraphQLSchema schema, Set<String> coordinates) {
            this.schema = schema;
            this.coordinates = coordinates;
        }

        static LoadedFields of(GraphQlSource source, BatchLoaderRegistry loaders) {
            if (source == null || loaders == null) {
                return new LoadedFields(null, null);
            }
            DataLoaderRegistry registered = new DataLoaderRegistry();
            loaders.registerDataLoaders(registered, GraphQLContext.newContext().build());
            GraphQLSchema schema = source.schema();
            Set<String> coordinates = new HashSet<>();
            for (String key : registered.getKeys()) {
                int dot = key.indexOf('.');
                if (dot < 0
                        || !(schema.getType(key.substring(0, dot)) instanceof GraphQLFieldsContainer type)
                        || type.getFieldDefinition(key.substring(dot + 1)) == null) {
                    return new LoadedFields(schema, null);
                }
                coordinates.add(key);
            }
            return new LoadedFields(schema, Set.copyOf(coordinates));
        }

        /** Whether the named operation of {@code query} (the only one when no name is given) selects a loaded field. */
        boolean selectedBy(String query, String operationName) {
            if (coordinates == null || query == null || query.length() > MAX_CACHED_LENGTH) {
                return true;
            }
            if (coordinates.isEmpty()) {
                return false;
            }
            return selections.get(new Key(query, operationName), key -> analyse(key.query(), key.operationName()));
        }

        private boolean analyse(String query, String operationName) {
            Document document;
            try {
                document = Parser.parse(query);
            } catch (RuntimeException unparsable) {
                return true; // execution reports it
            }
            OperationDefinition operation = OperationRoles.operation(document, operationName);
            if (operation == null) {
                return true; // execution reports it
            }
            GraphQLObjectType root = switch (operation.getOperation()) {
                case QUERY -> schema.getQueryType();
                case MUTATION -> schema.getMutationType();
                case SUBSCRIPTION -> schema.getSubscriptionType();
            };
            return root == null
                    || selects(operation.getSelectionSet(), root, OperationRoles.fragments(document), new HashSet<>());
        }

        /** Unknown types and fields count as selecting nothing: validation refuses the document before it runs. */
        private boolean selects(
                SelectionSet selections,
                GraphQLCompositeType parent,
                Map<String, FragmentDefinition> fragments,
                Set<String> seen) {
            if (selections == null) {
                return false;
            }
            for (Selection<?> selection : selections.getSelections()) {
                if (selection instanceof Field field) {
                    if (field.getName().startsWith("__") || !(parent instanceof GraphQLFieldsContainer container)) {
                        continue;
                    }
                    GraphQLFieldDefinition definition = container.getFieldDefinition(field.getName());
                    if (definition == null) {
                        continue;
                    }
                    if (loads(container, field.getName())) {
                        return true;
                    }
                    if (GraphQLTypeUtil.unwrapAll(definition.getType()) instanceof GraphQLCompositeType type
                            && selects(field.getSelectionSet(), type, fragments, seen)) {
                        return true;
                    }
                } else if (selection instanceof InlineFragment inline) {
                    GraphQLCompositeType type = inline.getTypeCondition() == null
                            ? parent
                            : composite(inline.getTypeCondition().getName());
                    if (type != null && selects(inline.getSelectionSet(), type, fragments, seen)) {
                        return true;
                    }
                } else if (selection instanceof FragmentSpread spread && seen.add(spread.getName())) {
                    FragmentDefinition fragment = fragments.get(spread.getName());
                    GraphQLCompositeType type = fragment == null
                            ? null
                            : composite(fragment.getTypeCondition().getName());
                    if (type != null && selects(fragment.getSelectionSet(), type, fragments, seen)) {
                        return true;
                    }
                }
            }
            return false;
        }

        /** A field of an interface is loaded when any type implementing it loads it. */
        private boolean loads(GraphQLFieldsContainer container, String field) {
            if (coordinates.contains(container.getName() + "." + field)) {
                return true;
            }
            if (container instanceof GraphQLInterfaceType contract) {
                for (GraphQLObjectType type : schema.getImplementations(contract)) {
                    if (coordinates.contains(type.getName() + "." + field)) {
                        return true;
                    }
                }
            }
            return false;
        }

        private GraphQLCompositeType composite(String name) {
            GraphQLType type = schema.getType(name);
            return type instanceof GraphQLCompositeType composite ? composite : null;
        }
    }
}
