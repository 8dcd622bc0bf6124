package com.widgets.api.drill;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.api.Fixtures;
import com.widgets.api.live.Subscribers;
import com.widgets.db.Origin;
import com.widgets.db.PortType;
import com.widgets.db.WiringStore;
import com.widgets.db.testing.WiringDatabase;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Slow consumers: 200 subscribers over real WebSockets while 8 clients write, until the 50 that never read (a 4 KB
 * receive window that stays shut) have fallen 256 changes behind. The writers' latency stays what it is without subscribers, the readers hear every change of
 * the widgets they watch, and the stuck ones are ended with {@code SLOW_SUBSCRIBER} — the reason they find when they
 * read again — so the service's memory goes back to where it was.
 */
@Drill
class SlowConsumersDrillTest {

    private static final Logger log = LoggerFactory.getLogger(SlowConsumersDrillTest.class);
    private static final int SUBSCRIBERS = 200;
    private static final int STUCK = 50;
    private static final int WRITERS = 8;
    private static final int WIDGETS = 16;
    private static final String EVENT =
            "type serialNumber port peer { serialNumber port } origin { actor requestId } cursor at";
    /** What the stuck ones ask for: 30 aliases (the limit) make each event ~2 KB, so their window fills sooner. */
    private static final String BIG_EVENT = EVENT
            + java.util.stream.IntStream.range(0, 15)
                    .mapToObj(i -> " c" + i + ": cursor a" + i + ": at")
                    .collect(Collectors.joining());

    @Autowired
    WiringStore store;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    ApplicationContext context;

    @LocalServerPort
    int port;

    /** A reading subscriber: what it heard. */
    record Reader(RawWebSocket socket, String serial, AtomicInteger heard, List<String> errors) {}

    @Test
    void stuckSubscribersAreEndedWithAReasonAndHoldUpNoOne() throws Exception {
        WiringDatabase db = new WiringDatabase(jdbc);
        db.reset();
        Origin setup = Origin.request("drill", "setup");
        for (int i = 0; i < WIDGETS; i++) {
            store.addWidget("S-" + i, "slow " + i, EnumSet.allOf(PortType.class), setup);
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> Subscribers.active(context) == 0);
        DrillHttp http = new DrillHttp(port);
        AtomicBoolean warmingUp = new AtomicBoolean(true);
        Executors.newSingleThreadScheduledExecutor().schedule(() -> warmingUp.set(false), 2, TimeUnit.SECONDS);
        write(http, warmingUp);
        AtomicBoolean alone4s = new AtomicBoolean(true);
        Executors.newSingleThreadScheduledExecutor().schedule(() -> alone4s.set(false), 4, TimeUnit.SECONDS);
        List<Long> alone = write(http, alone4s);
        long heapBefore = heapAfterGc();

        // 150 readers, each watching one widget; 50 that never read, watching all of them
        ExecutorService reading = Executors.newFixedThreadPool(SUBSCRIBERS - STUCK);
        List<Reader> readers = new ArrayList<>();
        List<RawWebSocket> stuck = new ArrayList<>();
        AtomicBoolean listening = new AtomicBoolean(true);
        long registered = Subscribers.count(context);
        for (int s = 0; s < SUBSCRIBERS; s++) {
            if (s < STUCK) {
                RawWebSocket socket = RawWebSocket.open(port, 4096);
                socket.subscribe(Fixtures.ADMIN_TOKEN, "subscription { wiringChanged { " + BIG_EVENT + " } }");
                stuck.add(socket);
            } else {
                String serial = "S-" + (s % WIDGETS);
                RawWebSocket socket = RawWebSocket.open(port, 0);
                socket.subscribe(
                        Fixtures.ADMIN_TOKEN,
                        "subscription { wiringChanged(serialNumbers: [\"" + serial + "\"]) { " + EVENT + " } }");
                Reader reader = new Reader(
                        socket, serial, new AtomicInteger(), Collections.synchronizedList(new ArrayList<>()));
                readers.add(reader);
                reading.submit(() -> {
                    String message;
                    try {
                        while (listening.get() && (message = socket.receive()) != null) {
                            if (message.contains("\"next\"")) {
                                reader.heard().incrementAndGet();
                            } else {
                                reader.errors().add(message);
                            }
                        }
                    } catch (Exception e) {
                        reader.errors().add(e.toString());
                    }
                    return null;
                });
            }
        }
        Subscribers.awaitAtLeast(context, registered + SUBSCRIBERS);
        long heapSubscribed = heapAfterGc();
        long historyBefore = db.count("SELECT coalesce(max(id), 0) FROM wiring_history");

        // the writers go on until every stuck one is dropped (the readers stay), and 2 s longer
        AtomicBoolean writing = new AtomicBoolean(true);
        long[] heapWriting = {0};
        long start = System.nanoTime();
        Future<List<Long>> crowdedCalls = Executors.newSingleThreadExecutor().submit(() -> write(http, writing));
        Awaitility.await()
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    heapWriting[0] = Math.max(heapWriting[0], heapUsed());
                    return Subscribers.active(context) == SUBSCRIBERS - STUCK;
                });
        long droppedAfter = (System.nanoTime() - start) / 1_000_000;
        Thread.sleep(2_000);
        writing.set(false);
        List<Long> crowded = crowdedCalls.get(1, TimeUnit.MINUTES);
        long heapDropped = heapAfterGc();

        // every reader heard every change of its widget
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(readers)
                        .allSatisfy(reader -> assertThat(reader.heard().get())
                                .as("changes of %s heard", reader.serial())
                                .isEqualTo(changesOf(db, reader.serial(), historyBefore))));
        assertThat(readers).allSatisfy(reader -> assertThat(reader.errors()).isEmpty());

        // a stuck one reading again finds what it missed cut short, and why
        AtomicLong reasons = new AtomicLong();
        ExecutorService draining = Executors.newFixedThreadPool(STUCK);
        List<Future<String>> ends = new ArrayList<>();
        for (RawWebSocket socket : stuck) {
            ends.add(draining.submit(() -> {
                String message;
                int next = 0;
                while ((message = socket.receive()) != null) {
                    if (message.contains("\"next\"")) {
                        next++;
                    } else {
                        return message + " after " + next + " changes";
                    }
                }
                return "closed after " + next + " changes";
            }));
        }
        List<String> endings = new ArrayList<>();
        for (Future<String> end : ends) {
            String ending = end.get(1, TimeUnit.MINUTES);
            endings.add(ending);
            if (ending.contains("SLOW_SUBSCRIBER")) {
                reasons.incrementAndGet();
            }
        }
        assertThat(endings)
                .as("each stuck subscriber, reading again, is told it fell behind")
                .allSatisfy(ending -> assertThat(ending)
                        .contains("\"type\":\"error\"")
                        .contains("SLOW_SUBSCRIBER")
                        .contains("fell more than 256 changes behind"));

        listening.set(false);
        stuck.forEach(RawWebSocket::close);
        readers.forEach(reader -> reader.socket().close());
        reading.shutdownNow();
        draining.shutdownNow();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> Subscribers.active(context) == 0);

        Percentiles before = Percentiles.of(alone);
        Percentiles with = Percentiles.of(crowded);
        assertThat(with.max()).as("no writer waits on a subscriber").isLessThan(5_000);
        assertThat(with.p99())
                .as("writers' p99 with 200 subscribers, 50 stuck, vs %s without", before)
                .isLessThan(before.p99() * 5 + 250);
        assertThat(heapDropped - heapBefore)
                .as("heap held once the stuck ones are dropped")
                .isLessThan(128L << 20);

        log.info(
                "Drill figures: {} subscribers ({} never reading, 4 KB window), {} writers; writers without"
                        + " subscribers {} ({} calls), with them {} ({} calls); {} of {} stuck ended with"
                        + " SLOW_SUBSCRIBER within {} ms of writing (changes each got before the error: {}); readers heard {} changes, none lost;"
                        + " heap after GC {} MB"
                        + " before, {} MB subscribed, {} MB used while writing, {} MB once the stuck were dropped",
                SUBSCRIBERS,
                STUCK,
                WRITERS,
                before,
                alone.size(),
                with,
                crowded.size(),
                reasons.get(),
                STUCK,
                droppedAfter,
                endings.stream()
                        .map(e -> e.replaceAll("(?s).*after (\\d+) changes", "$1"))
                        .collect(Collectors.summarizingInt(Integer::parseInt)),
                readers.stream().mapToInt(r -> r.heard().get()).sum(),
                heapBefore >> 20,
                heapSubscribed >> 20,
                heapWriting[0] >> 20,
                heapDropped >> 20);
    }

    /** History rows of one widget after a row id: each is one change its subscribers hear. */
    private static long changesOf(WiringDatabase db, String serial, long afterId) {
        return db.count("SELECT count(*) FROM wiring_history WHERE serial_number = ? AND id > ?", serial, afterId);
    }

    /** Link and unlink over the widgets from {@link #WRITERS} clients while {@code going}; each call's milliseconds. */
    private static List<Long> write(DrillHttp http, AtomicBoolean going) throws Exception {
        List<Long> millis = Collections.synchronizedList(new ArrayList<>());
        ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
        List<Future<?>> running = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            String a = "S-" + (2 * w), b = "S-" + (2 * w + 1);
            running.add(writers.submit(() -> {
                boolean link = true;
                while (going.get()) {
                    DrillHttp.Answer answer = http.graphQl(
                            link
                                    ? "mutation { link(input: {a: {serialNumber: \"" + a + "\", port: P}, b:"
                                            + " {serialNumber: \"" + b + "\", port: Q}}) { changed } }"
                                    : "mutation { unlink(input: {end: {serialNumber: \"" + a + "\", port: P}})"
                                            + " { changed } }");
                    assertThat(answer.hasErrors()).as(answer.body()).isFalse();
                    millis.add(answer.millis());
                    link = !link;
                }
                return null;
            }));
        }
        for (Future<?> writer : running) {
            writer.get(3, TimeUnit.MINUTES);
        }
        writers.shutdown();
        return new ArrayList<>(millis);
    }

    /** p50, p99 and max of some milliseconds. */
    record Percentiles(long p50, long p99, long max) {
        static Percentiles of(List<Long> millis) {
            List<Long> sorted = new ArrayList<>(millis);
            Collections.sort(sorted);
            return new Percentiles(
                    sorted.get(sorted.size() / 2),
                    sorted.get(Math.min(sorted.size() - 1, sorted.size() * 99 / 100)),
                    sorted.get(sorted.size() - 1));
        }

        @Override
        public String toString() {
            return "p50 " + p50 + " ms, p99 " + p99 + " ms, max " + max + " ms";
        }
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long heapAfterGc() throws InterruptedException {
        System.gc();
        Thread.sleep(200);
        return heapUsed();
    }
}
