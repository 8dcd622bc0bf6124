package com.widgets.api.live;

import static com.widgets.db.PortType.P;
import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.api.ApiTest;
import com.widgets.api.system.ApiError;
import com.widgets.api.system.GraphQlSettings;
import com.widgets.db.Origin;
import com.widgets.db.WiringEvent;
import com.widgets.db.WiringStore;
import com.widgets.db.testing.WiringDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.unit.DataSize;
import reactor.core.publisher.BaseSubscriber;

/**
 * A subscriber that stops reading is ended with SLOW_SUBSCRIBER once it falls a buffer (and a prefetch) behind, while
 * the publisher never waits and every other subscriber gets every event — also when one look brings more changes than
 * the buffer. Events are real ones, committed by the store.
 */
@ApiTest
class WiringFanoutTest {

    private static final com.widgets.db.ChangeFeed.Since ALL = new com.widgets.db.ChangeFeed.Since(-1, Set.of());

    @Autowired
    WiringStore store;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void aSlowSubscriberIsEndedWithoutSlowingAnyoneElse() throws Exception {
        new WiringDatabase(jdbc).reset();
        store.addWidget("F-1", "fan", Set.of(P), Origin.request("tester", "fan"));
        WiringEvent event = store.history("F-1", null, 1).get(0);
        WiringFanout fanout = new WiringFanout(
                new GraphQlSettings(12, 20000, 30, 1000, 100, DataSize.ofKilobytes(256), 10, 10000, 64),
                new LiveSettings(
                        Duration.ofMillis(100), Duration.ofMillis(250), 10, 2, 1000, DataSize.ofKilobytes(16)));

        AtomicReference<Throwable> slowError = new AtomicReference<>();
        List<LiveEvent> slowGot = new CopyOnWriteArrayList<>();
        BaseSubscriber<LiveEvent> slow = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription subscription) {
                // reads nothing until asked below
            }

            @Override
            protected void hookOnNext(LiveEvent value) {
                slowGot.add(value);
            }

            @Override
            protected void hookOnError(Throwable error) {
                slowError.set(error);
            }
        };
        fanout.subscribe(null, "c1", ALL).flux().subscribe(slow);
        List<LiveEvent> fastGot = new CopyOnWriteArrayList<>();
        CountDownLatch fastDone = new CountDownLatch(200);
        fanout.subscribe(Set.of("F-1"), "c2", ALL).flux().subscribe(e -> {
            fastGot.add(e);
            fastDone.countDown();
        });
        List<LiveEvent> ignored = new CopyOnWriteArrayList<>();
        fanout.subscribe(Set.of("SOMEONE-ELSE"), "c3", ALL).flux().subscribe(ignored::add);

        // Ten bursts of 20: the reading subscriber keeps up between bursts, the other falls 200 behind.
        for (int burst = 1; burst <= 10; burst++) {
            long started = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                fanout.publish(List.of(event), "cursor");
            }
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
            int published = burst * 20;
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> fastGot.size() == published);
        }
        assertThat(fastDone.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(fastGot).hasSize(200);
        assertThat(ignored).isEmpty();
        assertThat(fanout.subscriberCount()).isEqualTo(2);

        slow.request(Long.MAX_VALUE);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> slowError.get() != null);
        assertThat(slowError.get())
                .isInstanceOfSatisfying(
                        ApiError.class, e -> assertThat(e.code()).isEqualTo(ApiError.Code.SLOW_SUBSCRIBER));
        assertThat(slowGot).hasSizeLessThan(200);
    }

    @Test
    void aLookOfMoreChangesThanTheBufferReachesSubscribersThatKeepUp() throws Exception {
        new WiringDatabase(jdbc).reset();
        store.addWidget("F-1", "fan", Set.of(P), Origin.request("tester", "fan"));
        WiringEvent event = store.history("F-1", null, 1).get(0);
        WiringFanout fanout = new WiringFanout(
                new GraphQlSettings(12, 20000, 30, 1000, 100, DataSize.ofKilobytes(256), 10, 10000, 64),
                new LiveSettings(
                        Duration.ofMillis(100), Duration.ofMillis(250), 10, 5, 1000, DataSize.ofKilobytes(16)));
        List<LiveEvent> allGot = new CopyOnWriteArrayList<>();
        List<LiveEvent> widgetGot = new CopyOnWriteArrayList<>();
        AtomicReference<Throwable> ended = new AtomicReference<>();
        fanout.subscribe(null, "c1", ALL).flux().subscribe(allGot::add, ended::set);
        fanout.subscribe(Set.of("F-1"), "c2", ALL).flux().subscribe(widgetGot::add, ended::set);
        AtomicReference<Throwable> idleError = new AtomicReference<>();
        BaseSubscriber<LiveEvent> idle = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription subscription) {
                // reads nothing until asked below
            }

            @Override
            protected void hookOnError(Throwable error) {
                idleError.set(error);
            }
        };
        fanout.subscribe(null, "c3", ALL).flux().subscribe(idle);

        // a writer's burst, a job's chunk or a feed held up: 500 changes in one look, with a buffer of 64
        List<WiringEvent> look = java.util.Collections.nCopies(500, event);
        fanout.publish(look, "cursor");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> allGot.size() == 500);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> widgetGot.size() == 500);
        fanout.publish(look, "cursor");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> allGot.size() == 1000);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> widgetGot.size() == 1000);

        assertThat(ended.get()).isNull();
        // the one that read nothing of the first look was ended as the second arrived: it learns so once it reads
        assertThat(fanout.subscriberCount()).isEqualTo(2);
        idle.request(Long.MAX_VALUE);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> idleError.get() != null);
        assertThat(idleError.get())
                .isInstanceOfSatisfying(
                        ApiError.class, e -> assertThat(e.code()).isEqualTo(ApiError.Code.SLOW_SUBSCRIBER));
    }

    @Test
    void subscriptionsOverTheReplicasOrTheConnectionsLimitAreRefused() {
        WiringFanout fanout = new WiringFanout(
                new GraphQlSettings(12, 20000, 30, 1000, 100, DataSize.ofKilobytes(256), 10, 10000, 64),
                new LiveSettings(Duration.ofMillis(100), Duration.ofMillis(250), 3, 2, 1000, DataSize.ofKilobytes(16)));
        var first = fanout.subscribe(Set.of("A"), "one", ALL);
        fanout.subscribe(null, "one", ALL);
        assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(
                        ApiError.class, () -> fanout.subscribe(Set.of("B"), "one", ALL)))
                .satisfies(e -> {
                    assertThat(e.code()).isEqualTo(ApiError.Code.TOO_MANY_SUBSCRIPTIONS);
                    assertThat(e.getMessage()).contains("widgets.live.max-subscriptions-per-connection");
                });
        fanout.subscribe(Set.of("B"), "two", ALL);
        assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(
                        ApiError.class, () -> fanout.subscribe(Set.of("C"), "three", ALL)))
                .satisfies(e -> assertThat(e.getMessage()).contains("widgets.live.max-subscriptions"));
        assertThat(fanout.subscriberCount()).isEqualTo(3);
        fanout.release(first);
        assertThat(fanout.subscriberCount()).isEqualTo(2);
        fanout.subscribe(Set.of("C"), "one", ALL);
        assertThat(fanout.subscriberCount()).isEqualTo(3);
    }
}
