package com.widgets.api.system;

import org.springframework.context.ApplicationContext;
import org.springframework.graphql.observation.GraphQlObservationInstrumentation;

/** Test access to the GraphQL observation instrumentation the service runs with. */
public final class Observations {

    private Observations() {}

    /** Whether the service's instrumentation is ours and wraps data fetchers to observe them. */
    public static boolean observesFields(ApplicationContext context) {
        GraphQlObservationInstrumentation instrumentation = context.getBean(GraphQlObservationInstrumentation.class);
        if (!(instrumentation instanceof RequestObservations.Instrumentation ours)) {
            throw new AssertionError("Spring's own instrumentation runs, not RequestObservations': " + instrumentation);
        }
        return ours.observesFields();
    }
}
