package com.widgets.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples, every 20 ms while a measured stretch runs, how many of the database's client backends wait on the WAL: one
 * in {@code fdatasync} ({@code IO:WalSync}) and the writers queued behind it ({@code LWLock:WALWrite}). On a disk whose
 * flushes now and then take tens of milliseconds or more, those moments are the writers' slowest calls
 * (bench/PROFILE.md), so a stretch's p99 says as much about where they landed as about what was measured; the report
 * sets their count and length beside it. One connection of its own; the sample is one scan of {@code
 * pg_stat_activity}, which every stretch, with and without subscribers, pays alike.
 */
final class WalFlushes implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WalFlushes.class);

    /** Backends waiting on the WAL at once that make a pile-up: more than a flush's ordinary company. */
    static final int PILED = 5;

    private static final long INTERVAL_NANOS = 20_000_000L;

    private static final String SAMPLE = """
            SELECT count(*) FROM pg_stat_activity
            WHERE backend_type = 'client backend' AND state = 'active' AND pid <> pg_backend_pid()
              AND lower(wait_event) IN ('walsync', 'walwrite')""";

    /** Pile-ups seen, the longest's length (first to last sample showing it, plus one interval) and the most queued. */
    record Summary(int pileUps, double longestMillis, int mostWaiting, boolean sampled) {
        @Override
        public String toString() {
            if (!sampled) {
                return "WAL waits not sampled";
            }
            return String.format(
                    Locale.ROOT,
                    "%d moment%s with %d or more writers waiting on a WAL flush%s",
                    pileUps,
                    pileUps == 1 ? "" : "s",
                    PILED,
                    pileUps == 0
                            ? ""
                            : String.format(
                                    Locale.ROOT,
                                    ", the longest ~%.0f ms, at most %d waiting",
                                    longestMillis,
                                    mostWaiting));
        }
    }

    private final Thread sampler;
    private volatile boolean stopping;
    private volatile Summary summary = new Summary(0, 0, 0, false);

    private WalFlushes(DataSource db) {
        sampler = new Thread(() -> sample(db), "wal-flushes");
        sampler.setDaemon(true);
        sampler.start();
    }

    /** Starts sampling; {@link #close} stops it and {@link #summary} then tells what it saw. */
    static WalFlushes start(DataSource db) {
        return new WalFlushes(db);
    }

    Summary summary() {
        return summary;
    }

    @Override
    public void close() throws InterruptedException {
        stopping = true;
        sampler.join(5_000);
    }

    private void sample(DataSource db) {
        int pileUps = 0, most = 0;
        long longest = 0, since = -1, last = -1;
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement(SAMPLE)) {
            long next = System.nanoTime();
            while (!stopping) {
                int waiting;
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    waiting = r.getInt(1);
                }
                long now = System.nanoTime();
                if (waiting >= PILED) {
                    if (since < 0) {
                        since = now;
                        pileUps++;
                    }
                    last = now;
                    most = Math.max(most, waiting);
                } else if (since >= 0) {
                    longest = Math.max(longest, last - since + INTERVAL_NANOS);
                    since = -1;
                }
                next += INTERVAL_NANOS;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                } else {
                    next = System.nanoTime();
                }
            }
            if (since >= 0) {
                longest = Math.max(longest, last - since + INTERVAL_NANOS);
            }
            summary = new Summary(pileUps, longest / 1e6, most, true);
        } catch (SQLException | InterruptedException e) {
            log.warn("Sampling the WAL waits stopped: {}", e.toString());
        }
    }
}
