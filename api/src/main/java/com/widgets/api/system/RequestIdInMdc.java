package com.widgets.api.system;

import com.widgets.api.access.RequestOrigin;
import io.micrometer.context.ThreadLocalAccessor;
import org.slf4j.MDC;

/**
 * Carries the request id in the logging MDC (key {@value #MDC_KEY}) across the threads a request's work hops to: Spring
 * for GraphQL and Reactor propagate it (Micrometer context propagation) into data fetchers, controller methods on other
 * threads and WebSocket operations, so their log lines carry it too. Registered with the {@code ContextRegistry}
 * through {@code META-INF/services}.
 */
public class RequestIdInMdc implements ThreadLocalAccessor<String> {

    /** The field log lines carry the request id in (a top-level field of structured logs). */
    public static final String MDC_KEY = "requestId";

    /** The key of the request id in a Reactor context. */
    public static final String KEY = RequestOrigin.REQUEST_ID; // the GraphQL context carries it under the same key

    @Override
    public Object key() {
        return KEY;
    }

    @Override
    public String getValue() {
        return MDC.get(MDC_KEY);
    }

    @Override
    public void setValue(String value) {
        MDC.put(MDC_KEY, value);
    }

    @Override
    public void setValue() {
        MDC.remove(MDC_KEY);
    }
}
