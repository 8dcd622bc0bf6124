package com.widgets.bench;

import com.widgets.bench.data.Dataset;
import com.widgets.bench.load.ClosedLoop;
import com.widgets.bench.load.ClosedLoop.Measured;
import com.widgets.bench.load.FixedRate;
import com.widgets.bench.service.GraphQlClient;
import com.widgets.bench.service.ServiceProcess;
import com.widgets.bench.service.Subscribers;
import com.widgets.bench.service.Subscribers.Subscription;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Issue 15's fan-out goal: 1,000 graphql-ws subscribers each watching its own 5 widgets and 20 watching everything,
 * one WebSocket connection each (as 1,020 consoles would hold them), while 20 writers link and unlink pairs of those
 * widgets over HTTP at 200 mutations a second — 400 changes (history rows, one per widget end) a second. The writers'
 * latency is measured without subscribers before and after, and with them.
 */
final class FanOut {

    private static final Logger log = LoggerFactory.getLogger(FanOut.class);
    static final int WATCHERS = 1_000, EACH = 5, EVERYTHING = 20;
    /** Widget {@code B(k)} port P is linked to {@code B(k + PAIRS)} port Q: each watched widget is in one pair. */
    static final int PAIRS = WATCHERS * EACH / 2;

    static final int WRITERS = 20;
    static final double MUTATIONS_PER_SECOND = 200;
    /** 20 writers × 10 a second × 25 s: each pair linked and unlinked once, so every widget changes twice. */
    static final Duration WRITING = Duration.ofSeconds(25);

    private static final String LINK = """
            mutation($a: ID!, $b: ID!) {
              link(input: {a: {serialNumber: $a, port: P}, b: {serialNumber: $b, port: Q}}) { changed requestId }
            }""";
    private static final String UNLINK = """
            mutation($a: ID!) { unlink(input: {end: {serialNumber: $a, port: P}}) { changed requestId } }""";

    private FanOut() {}

    static void measure(Results results, LiveRun live) throws Exception {
        GraphQlClient client = live.client();
        ServiceProcess service = live.service();
        JdbcTemplate jdbc = live.jdbc();
        Map<String, Long> responses = new ConcurrentHashMap<>();

        live.phase("fan-out: writers without subscribers");
        double cpu0 = service.cpuSeconds();
        Measured before = FixedRate.run(WRITERS, MUTATIONS_PER_SECOND, WRITING, true, writer(client, responses));
        double cpuBefore = service.cpuSeconds() - cpu0;

        List<List<String>> watching = new ArrayList<>();
        for (int i = 0; i < WATCHERS; i++) {
            List<String> serials = new ArrayList<>();
            for (int j = 0; j < EACH; j++) {
                serials.add(Dataset.reservedSerial(EACH * i + j));
            }
            watching.add(serials);
        }
        for (int i = 0; i < EVERYTHING; i++) {
            watching.add(null);
        }
        live.phase("fan-out: opening " + watching.size() + " subscribers");
        long t0 = System.nanoTime();
        Measured with;
        Deliveries.Check watchers, all;
        double cpuWith, harnessWith;
        double opened;
        try (Subscribers subscribers = Subscribers.open(service.baseUrl(), watching.size(), watching)) {
            live.awaitSubscribers(watching.size(), subscribers);
            opened = (System.nanoTime() - t0) / 1e9;
            long after = Deliveries.lastId(jdbc);
            live.phase("fan-out: writers with " + watching.size() + " subscribers");
            cpu0 = service.cpuSeconds();
            double harness0 = harnessCpuSeconds() + subscribers.cpuSeconds();
            with = FixedRate.run(WRITERS, MUTATIONS_PER_SECOND, WRITING, true, writer(client, responses));
            Deliveries history = Deliveries.since(jdbc, after);
            history.await(subscribers, Duration.ofSeconds(30));
            cpuWith = service.cpuSeconds() - cpu0;
            harnessWith = harnessCpuSeconds() + subscribers.cpuSeconds() - harness0;
            List<Subscription> subscriptions = subscribers.subscriptions();
            watchers = history.check(subscriptions.subList(0, WATCHERS), responses);
            all = history.check(subscriptions.subList(WATCHERS, subscriptions.size()), responses);
        }
        live.awaitSubscribers(0, null);
        live.phase("fan-out: writers without subscribers, again");
        Measured afterwards = FixedRate.run(WRITERS, MUTATIONS_PER_SECOND, WRITING, true, writer(client, responses));

        Histogram without = before.latencyMicros().copy();
        without.add(afterwards.latencyMicros());
        double withoutP99 = without.getValueAtPercentile(99) / 1000.0;
        String rate = String.format(
                Locale.ROOT,
                "%d writers, %.0f link/unlink mutations/s over HTTP (%.0f changes/s)",
                WRITERS,
                MUTATIONS_PER_SECOND,
                2 * MUTATIONS_PER_SECOND);
        results.row(
                "fan-out",
                rate + ", no subscribers, before / after; latency from each call's scheduled start",
                writers(before) + " / " + writers(afterwards),
                null,
                null);
        results.row(
                "fan-out",
                rate + ", with " + WATCHERS + " subscribers watching " + EACH + " widgets each and " + EVERYTHING
                        + " watching everything, one WebSocket each (" + watching.size() + " connections, opened and"
                        + String.format(Locale.ROOT, " registered in %.1f s)", opened),
                writers(with),
                String.format(Locale.ROOT, "p99 %.2f ms without subscribers (before and after)", withoutP99),
                String.format(Locale.ROOT, "p99 ×%.2f", with.p99Millis() / withoutP99));
        results.row(
                "fan-out",
                "delivery to the " + WATCHERS + " watching 5 widgets each: mutation's response → event received",
                watchers.latency(),
                null,
                null);
        results.row(
                "fan-out",
                "delivery to the " + EVERYTHING + " watching everything: mutation's response → event received",
                all.latency(),
                null,
                null);
        results.row("fan-out", "every change, checked against the history", watchers.counts(), null, null);
        results.row("fan-out", "every change, checked against the history (everything)", all.counts(), null, null);
        long delivered = watchers.received() + all.received();
        results.row(
                "fan-out",
                "CPU while writing (25 s, until the last event arrived with subscribers): the service without → with"
                        + " subscribers; the harness (writers, and the subscribers' process) with them",
                String.format(
                        Locale.ROOT,
                        "service %.1f s → %.1f s: %.0f µs per delivered event; harness %.1f s",
                        cpuBefore,
                        cpuWith,
                        1e6 * (cpuWith - cpuBefore) / Math.max(1, delivered),
                        harnessWith),
                null,
                null);
        double worst = Math.max(watchers.p99Millis(), all.p99Millis());
        results.goal(
                "fan-out: every subscriber receives every change it asked for",
                (watchers.complete() + all.complete()) + " of " + watching.size(),
                watching.size(),
                watchers.complete() + all.complete(),
                true);
        results.goal(
                "fan-out: delivery p99 ≤ 250 ms",
                String.format(
                        Locale.ROOT,
                        "%.1f ms (5-widget watchers %.1f, everything %.1f)",
                        worst,
                        watchers.p99Millis(),
                        all.p99Millis()),
                250,
                worst,
                false);
        results.goal(
                "fan-out: writers' p99 ≤ 1.5 × their p99 without subscribers",
                String.format(Locale.ROOT, "%.2f ms vs %.2f ms", with.p99Millis(), withoutP99),
                1.5 * withoutP99,
                with.p99Millis(),
                false);
        log.info("Fan-out: {}; {}", watchers.counts(), all.latency());
    }

    private static double harnessCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                        .getProcessCpuTime()
                / 1e9;
    }

    private static String writers(Measured m) {
        return String.format(
                Locale.ROOT,
                "%.0f ops/s, p50 %.2f ms, p99 %.2f ms%s",
                m.opsPerSecond(),
                m.p50Millis(),
                m.p99Millis(),
                m.errors() == 0 ? "" : ", " + m.errors() + " errors");
    }

    /** Worker {@code w} links pair {@code w + WRITERS·j} on its even calls and unlinks it on the next. */
    private static ClosedLoop.Op writer(GraphQlClient client, Map<String, Long> responses) {
        return (worker, i) -> {
            int k = worker + WRITERS * (int) ((i / 2) % (PAIRS / WRITERS));
            boolean link = i % 2 == 0;
            JsonNode r = link
                    ? client.execute(
                            LINK, Map.of("a", Dataset.reservedSerial(k), "b", Dataset.reservedSerial(k + PAIRS)))
                    : client.execute(UNLINK, Map.of("a", Dataset.reservedSerial(k)));
            long answered = System.nanoTime();
            if (r.has("errors")) {
                return false;
            }
            JsonNode payload = r.get("data").get(link ? "link" : "unlink");
            responses.put(payload.get("requestId").asString(), answered);
            return payload.get("changed").asBoolean();
        };
    }
}
