package com.widgets.bench;

import com.widgets.bench.service.Subscribers;
import com.widgets.bench.service.Subscribers.Receipt;
import com.widgets.bench.service.Subscribers.Subscription;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;

/**
 * What subscribers got, against the history: each subscription's event ids compared with the history rows of the
 * widgets it watches committed after {@code afterId}, and how long each event took from the response to the change's
 * mutation (matched by the request id every event carries) to its arrival.
 */
final class Deliveries {

    private static final Logger log = LoggerFactory.getLogger(Deliveries.class);

    /** The outcome for a group of subscriptions. */
    record Check(
            int subscriptions,
            int complete,
            long expected,
            long received,
            long missing,
            long duplicates,
            long unexpected,
            long unmatched,
            long early,
            Histogram latencyMicros,
            List<String> errors,
            double seconds) {

        /** Events received per second between the first and the last arrival (all subscriptions together). */
        double receivedPerSecond() {
            return seconds > 0 ? received / seconds : 0;
        }

        String counts() {
            return String.format(
                    Locale.ROOT,
                    "%,d of %,d subscribers got every change they asked for: %,d events expected from the history,"
                            + " %,d received, %,d missing, %,d twice, %,d not asked for%s",
                    complete,
                    subscriptions,
                    expected,
                    received,
                    missing,
                    duplicates,
                    unexpected,
                    errors.isEmpty() ? "" : "; ended by errors: " + String.join("; ", errors));
        }

        String latency() {
            return String.format(
                    Locale.ROOT,
                    "p50 %.1f ms, p99 %.1f ms, max %.1f ms over %,d deliveries%s",
                    latencyMicros.getValueAtPercentile(50) / 1000.0,
                    p99Millis(),
                    latencyMicros.getMaxValue() / 1000.0,
                    latencyMicros.getTotalCount(),
                    unmatched == 0 ? "" : String.format(Locale.ROOT, " (%,d without a matching response)", unmatched));
        }

        double p99Millis() {
            return latencyMicros.getValueAtPercentile(99) / 1000.0;
        }

        /**
         * The same subscriptions checked in several rounds, as one: complete is the fewest complete in any round (so
         * it equals the subscriptions only if every round had them all complete), the events and latencies are summed
         * over the rounds, and the errors are the first three.
         */
        static Check ofRounds(List<Check> rounds) {
            Histogram latency = new Histogram(60_000_000L, 3);
            rounds.forEach(c -> latency.add(c.latencyMicros));
            return new Check(
                    rounds.get(0).subscriptions,
                    rounds.stream().mapToInt(Check::complete).min().orElse(0),
                    sum(rounds, Check::expected),
                    sum(rounds, Check::received),
                    sum(rounds, Check::missing),
                    sum(rounds, Check::duplicates),
                    sum(rounds, Check::unexpected),
                    sum(rounds, Check::unmatched),
                    sum(rounds, Check::early),
                    latency,
                    rounds.stream().flatMap(c -> c.errors.stream()).limit(3).toList(),
                    rounds.stream().mapToDouble(Check::seconds).sum());
        }

        private static long sum(List<Check> rounds, ToLongFunction<Check> count) {
            return rounds.stream().mapToLong(count).sum();
        }
    }

    private final Map<String, List<Long>> bySerial = new HashMap<>();
    private final Set<Long> all = new HashSet<>();

    private Deliveries() {}

    /** The highest history id now: changes after it are the ones measured. */
    static long lastId(JdbcTemplate jdbc) {
        Long id = jdbc.queryForObject("SELECT coalesce(max(id), 0) FROM wiring_history", Long.class);
        return id == null ? 0 : id;
    }

    /** The history rows after {@code afterId}, read once the writers have finished. */
    static Deliveries since(JdbcTemplate jdbc, long afterId) {
        Deliveries d = new Deliveries();
        jdbc.query(
                "SELECT id, serial_number FROM wiring_history WHERE id > ?",
                (RowCallbackHandler) rs -> {
                    long id = rs.getLong(1);
                    d.all.add(id);
                    d.bySerial
                            .computeIfAbsent(rs.getString(2), k -> new ArrayList<>())
                            .add(id);
                },
                afterId);
        return d;
    }

    Set<Long> expected(Subscription s) {
        return expected(s.serials());
    }

    private Set<Long> expected(List<String> serials) {
        if (serials == null) {
            return all;
        }
        Set<Long> ids = new HashSet<>();
        for (String serial : serials) {
            ids.addAll(bySerial.getOrDefault(serial, List.of()));
        }
        return ids;
    }

    /** Waits until the subscribers have as many events as the history owes them, or one ended, or {@code limit}. */
    void await(Subscribers subscribers, Duration limit) throws InterruptedException, IOException {
        long owed = 0;
        for (List<String> serials : subscribers.watching()) {
            owed += expected(serials).size();
        }
        long until = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < until) {
            Subscribers.Status status = subscribers.status();
            if (status.errors() > 0 || status.received() >= owed) {
                return;
            }
            Thread.sleep(50);
        }
    }

    /** Compares what {@code subscriptions} got with the history; latencies from {@code responses} (request id → nanos). */
    Check check(List<Subscription> subscriptions, Map<String, Long> responses) {
        int complete = 0;
        long expected = 0, received = 0, missing = 0, duplicates = 0, unexpected = 0, unmatched = 0, early = 0;
        Histogram latency = new Histogram(60_000_000L, 3);
        List<String> errors = new ArrayList<>();
        long first = Long.MAX_VALUE, last = Long.MIN_VALUE;
        for (Subscription s : subscriptions) {
            Set<Long> want = expected(s);
            Set<Long> got = new HashSet<>();
            long twice = 0;
            List<Receipt> receipts;
            synchronized (s.receipts()) {
                receipts = new ArrayList<>(s.receipts());
            }
            for (Receipt r : receipts) {
                first = Math.min(first, r.nanos());
                last = Math.max(last, r.nanos());
                if (!got.add(r.id())) {
                    twice++;
                }
                Long answered = r.requestId() == null ? null : responses.get(r.requestId());
                if (answered == null) {
                    unmatched++;
                } else {
                    long micros = (r.nanos() - answered) / 1000;
                    early += micros < 0 ? 1 : 0;
                    latency.recordValue(Math.max(1, Math.min(micros, 60_000_000L)));
                }
            }
            List<Long> missed =
                    want.stream().filter(id -> !got.contains(id)).sorted().toList();
            long lost = missed.size();
            if (lost > 0) {
                logMissing(missed, want.size(), got, receipts, s.error());
            }
            long extra = got.stream().filter(id -> !want.contains(id)).count();
            expected += want.size();
            received += receipts.size();
            missing += lost;
            duplicates += twice;
            unexpected += extra;
            if (s.error() != null && errors.size() < 3) {
                errors.add(s.error());
            }
            complete += lost == 0 && twice == 0 && extra == 0 && s.error() == null ? 1 : 0;
        }
        return new Check(
                subscriptions.size(),
                complete,
                expected,
                received,
                missing,
                duplicates,
                unexpected,
                unmatched,
                early,
                latency,
                errors,
                last > first ? (last - first) / 1e9 : 0);
    }

    /**
     * Which ids a subscriber did not get ({@code missed}, in order), beside the last it got: missing ids above every
     * id received are a tail that did not arrive (held up on the way), ids among the received ones a hole (never
     * sent) — unless the subscription was ended ({@code error}, e.g. {@code SLOW_SUBSCRIBER}): a transaction that
     * commits late comes after higher ids, so what the end cut off can lie below the highest id received.
     */
    private static void logMissing(List<Long> missed, int wanted, Set<Long> got, List<Receipt> receipts, String error) {
        if (error != null) {
            log.warn(
                    "A subscriber ended by an error ({}) did not get {} of {} changes; the first missing: {}",
                    error,
                    missed.size(),
                    wanted,
                    missed.subList(0, Math.min(20, missed.size())));
            return;
        }
        long highest = got.stream().mapToLong(Long::longValue).max().orElse(0);
        long after = missed.stream().filter(id -> id > highest).count();
        Long lastArrived =
                receipts.isEmpty() ? null : receipts.get(receipts.size() - 1).id();
        log.warn(
                "A subscriber did not get {} of {} changes; of them {} above the highest id it got ({}, the last to"
                        + " arrive {}); the first missing: {}",
                missed.size(),
                wanted,
                after,
                highest,
                lastArrived,
                missed.subList(0, Math.min(20, missed.size())));
    }
}
