package com.widgets.api.system;

import graphql.execution.ExecutionContext;
import graphql.language.Field;
import graphql.language.Selection;
import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.graphql.observation.DefaultExecutionRequestObservationConvention;
import org.springframework.graphql.observation.ExecutionRequestObservationContext;
import org.springframework.stereotype.Component;

/**
 * Tags each {@code graphql.request} observation (and so its timer, {@code graphql_request_seconds}) with the operation
 * it ran, besides Spring's outcome and operation type: the schema's root field ({@code addWidget}, {@code widgets},
 * ...), {@code multiple} when a document selects several, {@code none} when it never ran (it did not parse or
 * validate). Root fields come from the schema, so the tag's values are bounded; the client's operation name is not,
 * and stays out of the metrics.
 */
@Component
class OperationObservations extends DefaultExecutionRequestObservationConvention {

    static final String OPERATION = "graphql.operation";

    @Override
    public KeyValues getLowCardinalityKeyValues(ExecutionRequestObservationContext context) {
        return super.getLowCardinalityKeyValues(context).and(KeyValue.of(OPERATION, rootField(context)));
    }

    private static String rootField(ExecutionRequestObservationContext context) {
        ExecutionContext execution = context.getExecutionContext();
        if (execution == null) {
            return "none";
        }
        Set<String> fields = new TreeSet<>();
        for (Selection<?> selection :
                execution.getOperationDefinition().getSelectionSet().getSelections()) {
            if (!(selection instanceof Field field)) {
                return "multiple"; // a fragment at the root
            }
            fields.add(field.getName());
        }
        return fields.size() == 1 ? fields.iterator().next() : "multiple";
    }
}
