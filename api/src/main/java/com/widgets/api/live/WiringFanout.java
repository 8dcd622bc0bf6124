package com.widgets.api.live;

import com.widgets.api.system.ApiError;
import com.widgets.api.system.GraphQlSettings;
import com.widgets.db.ChangeFeed;
import com.widgets.db.WiringEvent;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.util.concurrent.Queues;

/**
 * Hands each look's committed changes to the subscribers that asked for them, never waiting for one. Subscribers are
 * indexed by the serial numbers they watch, so a change costs one lookup plus one list entry per interested subscriber
 * — a subscriber watching other widgets costs it nothing — and a look costs each interested subscriber one queue
 * offer: its changes as one list, the same list for every subscriber of all changes. Each subscriber has its own
 * unbounded-by-type but counted queue (nothing allocated while idle) and its own delivery worker; one that, as a look
 * arrives, still has more than {@code widgets.graphql.subscriber-buffer} changes of earlier looks waiting is ended with
 * {@code SLOW_SUBSCRIBER}. Counting at looks, not per change, keeps a look larger than the buffer (a burst of writes, a
 * rewiring job's chunk, a feed that was held up) from ending a subscriber that was keeping up: it had no chance to
 * read them yet. What a subscriber holds stays bounded: the buffer plus one look.
 */
@Component
class WiringFanout {

    private static final Logger log = LoggerFactory.getLogger(WiringFanout.class);

    private final ConcurrentHashMap<String, Set<Subscriber>> bySerial = new ConcurrentHashMap<>();
    private final Set<Subscriber> everything = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, AtomicInteger> perConnection = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicLong registrations = new AtomicLong();
    private final int buffer;
    private final int maxSubscriptions;
    private final int maxPerConnection;

    WiringFanout(GraphQlSettings graphQl, LiveSettings live) {
        this.buffer = graphQl.subscriberBuffer();
        this.maxSubscriptions = live.maxSubscriptions();
        this.maxPerConnection = live.maxSubscriptionsPerConnection();
    }

    /** One subscription's queue of looks; offered to by the feed's thread only. */
    final class Subscriber {
        private final Set<String> serials;
        private final String connection;
        private final ChangeFeed.Since since;
        private final Sinks.Many<List<LiveEvent>> sink = Sinks.many()
                .unicast()
                .onBackpressureBuffer(
                        Queues.<List<LiveEvent>>unboundedMultiproducer().get());
        /** Changes offered and not yet taken by the delivery worker. */
        private final AtomicInteger pending = new AtomicInteger();

        private Subscriber(Set<String> serials, String connection, ChangeFeed.Since since) {
            this.serials = serials;
            this.connection = connection;
            this.since = since;
        }

        /** The changes from now on; ends this subscription when cancelled. */
        Flux<LiveEvent> flux() {
            return sink.asFlux()
                    .concatMapIterable(look -> look, 1)
                    .doOnNext(event -> pending.decrementAndGet())
                    // delivery (GraphQL execution, the socket write) runs on its own worker, never on the feed's
                    .publishOn(Schedulers.boundedElastic(), 32)
                    .doFinally(signal -> remove(this));
        }

        /** The connection it is held by. */
        String connection() {
            return connection;
        }

        /** This look's changes for this subscriber, in id order. */
        private void offer(List<LiveEvent> look) {
            List<LiveEvent> changes = look;
            if (!look.stream().allMatch(event -> since.precedes(event.id(), event.at()))) {
                // some committed before this subscription started
                changes = look.stream()
                        .filter(event -> since.precedes(event.id(), event.at()))
                        .toList();
            }
            if (changes.isEmpty()) {
                return;
            }
            int behind = pending.get();
            if (behind > buffer) {
                remove(this);
                log.warn("Ending a wiringChanged subscriber that still had {} changes to read", behind);
                sink.tryEmitError(new ApiError(
                        ApiError.Code.SLOW_SUBSCRIBER,
                        "This subscription fell more than " + buffer
                                + " changes behind and was ended; resubscribe with `after` set to the cursor of the"
                                + " last change you got."));
                return;
            }
            pending.addAndGet(changes.size());
            if (sink.tryEmitNext(changes).isFailure()) {
                remove(this); // cancelled or ended
            }
        }
    }

    /**
     * A new subscription to the changes of {@code serials} (all when null) committed after {@code since}, held by
     * {@code connection}; refused with {@code TOO_MANY_SUBSCRIPTIONS} beyond the limits.
     */
    Subscriber subscribe(Set<String> serials, String connection, ChangeFeed.Since since) {
        if (count.incrementAndGet() > maxSubscriptions) {
            count.decrementAndGet();
            throw new ApiError(
                    ApiError.Code.TOO_MANY_SUBSCRIPTIONS,
                    "This replica already serves " + maxSubscriptions
                            + " subscriptions (widgets.live.max-subscriptions); try again later or another replica.");
        }
        AtomicInteger held = perConnection.computeIfAbsent(connection, key -> new AtomicInteger());
        if (held.incrementAndGet() > maxPerConnection) {
            held.decrementAndGet();
            count.decrementAndGet();
            throw new ApiError(
                    ApiError.Code.TOO_MANY_SUBSCRIPTIONS,
                    "This connection already holds " + maxPerConnection
                            + " subscriptions (widgets.live.max-subscriptions-per-connection); end one first.");
        }
        Subscriber subscriber = new Subscriber(serials == null ? null : Set.copyOf(serials), connection, since);
        registrations.incrementAndGet();
        if (subscriber.serials == null) {
            everything.add(subscriber);
        } else {
            for (String serial : subscriber.serials) {
                bySerial.compute(serial, (key, set) -> {
                    Set<Subscriber> watching = set == null ? ConcurrentHashMap.newKeySet() : set;
                    watching.add(subscriber);
                    return watching;
                });
            }
        }
        return subscriber;
    }

    /** Ends a subscription that may never have been read (a resumed one cancelled while it replayed, say). */
    void release(Subscriber subscriber) {
        remove(subscriber);
    }

    private void remove(Subscriber subscriber) {
        boolean removed;
        if (subscriber.serials == null) {
            removed = everything.remove(subscriber);
        } else {
            boolean[] any = {false};
            for (String serial : subscriber.serials) {
                bySerial.computeIfPresent(serial, (key, set) -> {
                    any[0] |= set.remove(subscriber);
                    return set.isEmpty() ? null : set;
                });
            }
            removed = any[0];
        }
        if (removed) {
            count.decrementAndGet();
            perConnection.computeIfPresent(
                    subscriber.connection, (key, held) -> held.decrementAndGet() <= 0 ? null : held);
        }
    }

    /** Offers one look's committed changes (in id order) to the subscribers that watch them; never blocks. */
    void publish(List<WiringEvent> events, String cursor) {
        LiveEvent[] live = new LiveEvent[events.size()]; // built once per change, only if someone watches it
        if (!everything.isEmpty()) {
            for (int i = 0; i < live.length; i++) {
                live[i] = LiveEvent.of(events.get(i), cursor);
            }
            List<LiveEvent> look = List.of(live);
            for (Subscriber subscriber : everything) {
                subscriber.offer(look);
            }
        }
        Map<Subscriber, List<LiveEvent>> watched = new IdentityHashMap<>();
        for (int i = 0; i < live.length; i++) {
            Set<Subscriber> watching = bySerial.get(events.get(i).serialNumber());
            if (watching != null) {
                if (live[i] == null) {
                    live[i] = LiveEvent.of(events.get(i), cursor);
                }
                for (Subscriber subscriber : watching) {
                    watched.computeIfAbsent(subscriber, key -> new ArrayList<>())
                            .add(live[i]);
                }
            }
        }
        watched.forEach(Subscriber::offer);
    }

    /** The service is stopping: subscriptions end, to be resumed elsewhere with their cursor. */
    void closing() {
        for (Subscriber subscriber : everything) {
            subscriber.sink.tryEmitComplete();
        }
        for (Set<Subscriber> watching : bySerial.values()) {
            for (Subscriber subscriber : watching) {
                subscriber.sink.tryEmitComplete();
            }
        }
    }

    int subscriberCount() {
        return count.get();
    }

    /** Subscriptions ever registered: tests wait for theirs to be counted before they make a change. */
    long registrations() {
        return registrations.get();
    }
}
