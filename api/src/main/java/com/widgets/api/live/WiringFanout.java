package com.widgets.api.live;

import com.widgets.api.system.ApiError;
import com.widgets.api.system.GraphQlSettings;
import com.widgets.db.WiringEvent;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * Hands each committed change to every subscriber that wants it, without ever waiting for one: each subscriber has
 * its own bounded buffer and its own delivery thread, and one whose buffer is full is ended with {@code
 * SLOW_SUBSCRIBER} instead of slowing the listener, the writers or anyone else.
 */
@Component
class WiringFanout {

    private static final Logger log = LoggerFactory.getLogger(WiringFanout.class);

    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    private final int buffer;
    private volatile boolean listening;

    WiringFanout(GraphQlSettings settings) {
        this.buffer = settings.subscriberBuffer();
    }

    private record Subscriber(Set<String> serials, Sinks.Many<WiringEvent> sink) {
        boolean wants(WiringEvent event) {
            return serials == null || serials.contains(event.serialNumber());
        }
    }

    /** The changes committed from now on, of these widgets only when {@code serials} is not null. */
    Flux<WiringEvent> subscribe(Set<String> serials) {
        if (!listening) {
            return Flux.error(new ApiError(
                    ApiError.Code.LIVE_UPDATES_INTERRUPTED,
                    "Live updates are reconnecting to the database; subscribe again in a few seconds."));
        }
        Sinks.Many<WiringEvent> sink = Sinks.many().unicast().onBackpressureBuffer(new ArrayBlockingQueue<>(buffer));
        Subscriber subscriber = new Subscriber(serials == null ? null : Set.copyOf(serials), sink);
        subscribers.add(subscriber);
        if (!listening && subscribers.remove(subscriber)) {
            // the connection failed while this subscriber was being added: it might miss changes
            return Flux.error(new ApiError(
                    ApiError.Code.LIVE_UPDATES_INTERRUPTED,
                    "Live updates are reconnecting to the database; subscribe again in a few seconds."));
        }
        // Delivery runs on its own worker, never on the listener thread that emits.
        return sink.asFlux()
                .publishOn(Schedulers.boundedElastic(), 32)
                .doFinally(signal -> subscribers.remove(subscriber));
    }

    /** Offers committed events to every subscriber; never blocks. */
    void publish(List<WiringEvent> events) {
        for (Subscriber subscriber : subscribers) {
            for (WiringEvent event : events) {
                if (!subscriber.wants(event)) {
                    continue;
                }
                Sinks.EmitResult result = subscriber.sink().tryEmitNext(event);
                if (result == Sinks.EmitResult.FAIL_OVERFLOW) {
                    subscribers.remove(subscriber);
                    log.warn("Ending a wiringChanged subscriber that fell {} events behind", buffer);
                    subscriber
                            .sink()
                            .tryEmitError(
                                    new ApiError(
                                            ApiError.Code.SLOW_SUBSCRIBER,
                                            "This subscription fell more than " + buffer
                                                    + " changes behind and was ended; subscribe again and re-read what you show."));
                    break;
                }
                if (result.isFailure()) {
                    subscribers.remove(subscriber); // cancelled or terminated
                    break;
                }
            }
        }
    }

    /** Listening (again): subscriptions can start. */
    void listening() {
        listening = true;
    }

    /** The listening connection was lost: changes may be missed, so every subscription ends and must restart. */
    void interrupted() {
        listening = false;
        for (Subscriber subscriber : subscribers) {
            subscribers.remove(subscriber);
            subscriber
                    .sink()
                    .tryEmitError(new ApiError(
                            ApiError.Code.LIVE_UPDATES_INTERRUPTED,
                            "Live updates lost their database connection and may have missed changes; subscribe again"
                                    + " and re-read what you show."));
        }
    }

    int subscriberCount() {
        return subscribers.size();
    }
}
