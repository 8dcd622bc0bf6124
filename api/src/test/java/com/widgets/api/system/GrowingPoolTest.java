package com.widgets.api.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The request threads' pool: requests beyond its base wait for one of its threads while none has waited long; when
 * the oldest has, more threads start and take the queue; once the wait is gone, the pool is its base again.
 */
class GrowingPoolTest {

    private static final long GROW_AFTER = TimeUnit.MILLISECONDS.toNanos(100);

    private final GrowingPool pool = new GrowingPool("test", 2, 6, GROW_AFTER);

    @AfterEach
    void stop() throws InterruptedException {
        pool.shutdown();
        assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void threadsHeldByTheDatabaseLetMoreStartForTheQueueAndThePoolShrinksAfter() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch held = new CountDownLatch(2);
        for (int i = 0; i < 2; i++) {
            pool.execute(() -> {
                held.countDown();
                await(release);
            });
        }
        assertThat(held.await(5, TimeUnit.SECONDS)).isTrue();
        CountDownLatch ran = new CountDownLatch(3);
        long queued = System.nanoTime();
        for (int i = 0; i < 3; i++) {
            pool.execute(ran::countDown);
        }

        assertThat(ran.await(50, TimeUnit.MILLISECONDS))
                .as("within the wait allowed, the queue waits for the base's threads")
                .isFalse();
        assertThat(ran.await(5, TimeUnit.SECONDS))
                .as("past it, more threads start and run the queue")
                .isTrue();
        long waited = System.nanoTime() - queued;
        assertThat(waited).isGreaterThanOrEqualTo(GROW_AFTER);
        assertThat(pool.getPoolSize()).isGreaterThan(2).isLessThanOrEqualTo(6);

        release.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((pool.getCorePoolSize() > 2 || pool.getPoolSize() > 2) && System.nanoTime() < deadline) {
            pool.execute(() -> {}); // a thread over the size ends when it next looks for work
            Thread.sleep(20);
        }
        assertThat(pool.getCorePoolSize()).isEqualTo(2);
        assertThat(pool.getPoolSize()).isEqualTo(2);
    }

    @Test
    void anOldQueueWhoseThreadsKeepAnsweringWaitsTenTimesLongerBeforeThePoolGrows() throws Exception {
        // 2 threads, 30 requests of 20 ms: the last waits ~300 ms, over the limit, while no thread is held 100 ms
        CountDownLatch done = new CountDownLatch(30);
        for (int i = 0; i < 30; i++) {
            pool.execute(() -> {
                busy(Duration.ofMillis(20));
                done.countDown();
            });
        }

        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(pool.getLargestPoolSize())
                .as("threads that keep answering wait for the cores, not for more threads")
                .isEqualTo(2);

        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch ran = new CountDownLatch(1);
        long queued = System.nanoTime();
        for (int i = 0; i < 2; i++) {
            pool.execute(() -> busy(Duration.ofMillis(30)));
        }
        for (int i = 0; i < 2; i++) {
            pool.execute(() -> await(release)); // the two threads held from here on
        }
        pool.execute(ran::countDown);
        assertThat(ran.await(5, TimeUnit.SECONDS))
                .as("held threads let more start")
                .isTrue();
        assertThat(System.nanoTime() - queued)
                .as("once a thread has been held the limit, not ten times it")
                .isLessThan(GrowingPool.UNHELD_WAITS * GROW_AFTER);
        release.countDown();
    }

    @Test
    void aPoolOverItsSizeUnderAQueueThatNeverEmptiesEndsItsExtraThreadsWithoutStartingOnePerRequest() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        for (int i = 0; i < 2; i++) {
            pool.execute(() -> await(release)); // the base held: the pool grows
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger done = new AtomicInteger();
        // more clients than threads: the queue never empties
        List<Thread> clients = clients(pool, 8, Duration.ofMillis(1), done, sent -> !stop.get());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (pool.getCorePoolSize() == 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(pool.getCorePoolSize()).as("grown").isGreaterThan(2);
        release.countDown();
        long startedBefore = pool.threadsStarted();
        int doneBefore = done.get();
        // the queue is calm again: the pool steps back to its base within ~2 s, the clients going on
        Thread.sleep(3_000);
        int threadsUnderLoad = pool.getPoolSize();
        stop.set(true);
        for (Thread client : clients) {
            client.join(5_000);
        }

        assertThat(pool.getCorePoolSize()).isEqualTo(2);
        assertThat(threadsUnderLoad)
                .as("threads running while the queue still never empties: the extra ones have ended")
                .isEqualTo(2);
        assertThat(done.get() - doneBefore).as("requests served meanwhile").isGreaterThan(1_000);
        assertThat(pool.threadsStarted() - startedBefore)
                .as("threads started while stepping down under load")
                .isLessThanOrEqualTo(6);
    }

    @Test
    void aDatabaseThatStallsAgainAndAgainDoesNotStartAndEndThreadsOverAndOver() throws Exception {
        // every 150 ms, six requests that each wait 120 ms on the database: the queue waits long, then not at all
        for (int stall = 0; stall < 20; stall++) {
            for (int i = 0; i < 6; i++) {
                pool.execute(() -> busy(Duration.ofMillis(120)));
            }
            Thread.sleep(150);
        }

        assertThat(pool.threadsStarted())
                .as("threads started over 20 stalls, the pool at most 6")
                .isLessThanOrEqualTo(12);
    }

    @Test
    void requestsThatDoNotWaitLongNeverStartMoreThanTheBase() throws Exception {
        // a second, not a tenth, so that a pause of the test machine cannot pass for a wait
        GrowingPool pool = new GrowingPool("steady", 2, 6, TimeUnit.SECONDS.toNanos(1));
        AtomicInteger done = new AtomicInteger();
        List<Thread> clients = clients(pool, 8, Duration.ofNanos(200_000), done, sent -> sent < 200);
        for (Thread client : clients) {
            client.join(30_000);
        }

        pool.shutdown();

        assertThat(done).hasValue(1_600);
        assertThat(pool.getLargestPoolSize())
                .as("8 clients on 2 threads, none waiting long (Tomcat's own pool would have started 8)")
                .isEqualTo(2);
    }

    /**
     * {@code n} closed-loop clients, started: each sends a request that keeps its thread busy for {@code work}, waits
     * for it to be done, and sends the next while {@code more} (given how many it has sent) says so.
     */
    private static List<Thread> clients(GrowingPool pool, int n, Duration work, AtomicInteger done, IntPredicate more) {
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            Thread client = new Thread(() -> {
                for (int sent = 0; more.test(sent); sent++) {
                    CountDownLatch answered = new CountDownLatch(1);
                    pool.execute(() -> {
                        busy(work);
                        done.incrementAndGet();
                        answered.countDown();
                    });
                    await(answered);
                }
            });
            client.start();
            clients.add(client);
        }
        return clients;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void busy(Duration time) {
        long end = System.nanoTime() + time.toNanos();
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }
}
