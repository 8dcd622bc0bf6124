package com.widgets.api.live;

import java.time.Duration;
import org.awaitility.Awaitility;
import org.springframework.context.ApplicationContext;

/** Test access to the fanout: waiting until a subscription has reached the server before making a change. */
public final class Subscribers {

    private Subscribers() {}

    /** Subscriptions registered so far, ever: take it before subscribing, then {@link #awaitAtLeast} one more. */
    public static long count(ApplicationContext context) {
        return context.getBean(WiringFanout.class).registrations();
    }

    /** Subscriptions open now. */
    public static int active(ApplicationContext context) {
        return context.getBean(WiringFanout.class).subscriberCount();
    }

    public static void awaitAtLeast(ApplicationContext context, long registrations) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> count(context) >= registrations);
    }
}
