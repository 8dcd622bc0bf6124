package com.widgets.api.system;

import graphql.ExecutionResult;
import graphql.execution.AbortExecutionException;
import graphql.execution.ExecutionContext;
import graphql.execution.instrumentation.InstrumentationContext;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.SimplePerformantInstrumentation;
import graphql.execution.instrumentation.parameters.InstrumentationExecuteOperationParameters;
import graphql.language.Argument;
import graphql.language.Field;
import graphql.language.FragmentDefinition;
import graphql.language.FragmentSpread;
import graphql.language.InlineFragment;
import graphql.language.IntValue;
import graphql.language.Selection;
import graphql.language.SelectionSet;
import graphql.language.Value;
import graphql.language.VariableReference;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Refuses an operation before any field runs when it is nested deeper than {@code max-depth}, would resolve more
 * fields than {@code max-complexity} or uses more than {@code max-aliases} aliases ({@code widgets.graphql.*}).
 *
 * <p>Complexity counts every field once per object it is resolved on: a field under a connection counts {@code first}
 * times (the default page size without it), under {@code ports} or {@code neighbors} three times. The walk stops at
 * the first limit crossed, so a hostile document costs at most the limit to inspect. Introspection ({@code __schema},
 * {@code __type}) is left to graphql-java's own introspection guards.
 */
@Component
public class QueryLimits extends SimplePerformantInstrumentation {

    /** Root fields that return a page; {@code first} defaults to the default page size. */
    private static final Set<String> PAGED_ROOTS = Set.of("widgets", "reachable", "wiringHistory", "rewiringJobs");
    /** Lists whose length is bounded by the data: a widget has at most three ports and so three neighbors. */
    private static final Map<String, Integer> SHORT_LISTS =
            Map.of("ports", 3, "neighbors", 3, "formerNeighbors", 3, "widgets", 2);

    private final GraphQlSettings settings;

    public QueryLimits(GraphQlSettings settings) {
        this.settings = settings;
    }

    @Override
    public InstrumentationContext<ExecutionResult> beginExecuteOperation(
            InstrumentationExecuteOperationParameters parameters, InstrumentationState state) {
        ExecutionContext context = parameters.getExecutionContext();
        new Walk(context).selections(context.getOperationDefinition().getSelectionSet(), 1, 1);
        return super.beginExecuteOperation(parameters, state);
    }

    private final class Walk {
        private final ExecutionContext context;
        private long complexity;
        private int aliases;

        Walk(ExecutionContext context) {
            this.context = context;
        }

        void selections(SelectionSet set, int depth, long multiplier) {
            if (set == null) {
                return;
            }
            for (Selection<?> selection : set.getSelections()) {
                if (selection instanceof Field field) {
                    field(field, depth, multiplier);
                } else if (selection instanceof InlineFragment inline) {
                    selections(inline.getSelectionSet(), depth, multiplier);
                } else if (selection instanceof FragmentSpread spread) {
                    FragmentDefinition fragment = context.getFragment(spread.getName());
                    if (fragment != null) {
                        selections(fragment.getSelectionSet(), depth, multiplier);
                    }
                }
            }
        }

        private void field(Field field, int depth, long multiplier) {
            if (depth == 1 && field.getName().startsWith("__")) {
                return;
            }
            if (depth > settings.maxDepth()) {
                throw refuse(
                        "max-depth",
                        "The query nests fields " + depth + " levels deep (at '" + field.getName() + "'); the limit is "
                                + settings.maxDepth() + ".");
            }
            if (field.getAlias() != null && ++aliases > settings.maxAliases()) {
                throw refuse(
                        "max-aliases",
                        "The query uses more than " + settings.maxAliases() + " aliases; the limit is "
                                + settings.maxAliases() + ".");
            }
            complexity += multiplier;
            if (complexity > settings.maxComplexity()) {
                throw refuse(
                        "max-complexity",
                        "The query would resolve more than " + settings.maxComplexity()
                                + " fields (lists counted by their size); ask for fewer fields or smaller pages.");
            }
            long factor = Math.max(1, listFactor(field, depth));
            selections(field.getSelectionSet(), depth + 1, Math.min(multiplier * factor, Integer.MAX_VALUE));
        }

        private long listFactor(Field field, int depth) {
            Integer first = intArgument(field.getArguments(), "first");
            if (first != null) {
                return first;
            }
            if (depth == 1 && PAGED_ROOTS.contains(field.getName())) {
                return settings.defaultPageSize();
            }
            if (depth == 1 && field.getName().equals("path")) {
                Integer hops = intArgument(field.getArguments(), "maxHops");
                return (hops == null ? settings.maxHops() : hops) + 1L;
            }
            return SHORT_LISTS.getOrDefault(field.getName(), 1);
        }

        private Integer intArgument(List<Argument> arguments, String name) {
            for (Argument argument : arguments) {
                if (argument.getName().equals(name)) {
                    Value<?> value = argument.getValue();
                    if (value instanceof IntValue literal) {
                        return literal.getValue().intValue();
                    }
                    if (value instanceof VariableReference variable
                            && context.getCoercedVariables().get(variable.getName()) instanceof Integer given) {
                        return given;
                    }
                }
            }
            return null;
        }
    }

    private static AbortExecutionException refuse(String limit, String message) {
        return new AbortExecutionException(List.of(GraphQlErrors.limitExceeded("widgets.graphql." + limit, message)));
    }
}
