package com.widgets.api.system;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.util.function.SingletonSupplier;

/**
 * Counts refused writes by their code, per transport: {@code widgets_mutation_refusals_total{code, transport}} in
 * Prometheus. Each transport's one error mapper counts; without a meter registry (a slice test) nothing is counted.
 */
public final class Refusals {

    static final String METER = "widgets.mutation.refusals";

    /** Looked up at the first refusal, not at each: a provider walks the bean factory's candidates every time. */
    private final SingletonSupplier<MeterRegistry> registry;

    private final String transport;

    /** @param transport {@code graphql} or {@code rest} */
    public Refusals(ObjectProvider<MeterRegistry> registry, String transport) {
        this.registry = SingletonSupplier.of(registry::getIfAvailable);
        this.transport = transport;
    }

    public void count(String code) {
        MeterRegistry meters = registry.get();
        if (meters != null) {
            Counter.builder(METER)
                    .description("Writes refused with a stable error code (PORT_BUSY, WIDGET_NOT_FOUND, ...)")
                    .tag("code", code)
                    .tag("transport", transport)
                    .register(meters)
                    .increment();
        }
    }
}
