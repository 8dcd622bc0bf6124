package com.widgets.api.live;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.stereotype.Component;

/** How many {@code wiringChanged} subscriptions this instance serves now: {@code widgets_live_subscribers}. */
@Component
class SubscriberGauge implements MeterBinder {

    private final WiringFanout fanout;

    SubscriberGauge(WiringFanout fanout) {
        this.fanout = fanout;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("widgets.live.subscribers", fanout, WiringFanout::subscriberCount)
                .description("Open wiringChanged subscriptions on this instance")
                .register(registry);
    }
}
