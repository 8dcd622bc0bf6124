package com.widgets.bench;

import com.widgets.bench.service.GraphQlClient;
import com.widgets.bench.service.ServiceProcess;
import com.widgets.bench.service.Subscribers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What the phases of {@code bench/run live} share: the service, the harness's clients, the folder for files beside the
 * report (heap histograms), and the load average each phase started under (the machine's two cores are shared with
 * other builds, so the report says what it measured under).
 */
record LiveRun(ServiceProcess service, GraphQlClient client, JdbcTemplate jdbc, Path work, List<String> loads) {

    private static final Logger log = LoggerFactory.getLogger(LiveRun.class);

    LiveRun(ServiceProcess service, GraphQlClient client, JdbcTemplate jdbc, Path work) {
        this(service, client, jdbc, work, new ArrayList<>());
    }

    /** Logs the start of a phase and keeps the load average it started under. */
    void phase(String name) {
        String load = loadAverage();
        loads.add(name + ": " + load);
        log.info("{} (load average {})", name, load);
    }

    /** The 1-, 5- and 15-minute load averages. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    /**
     * Waits until the service counts {@code expected} subscriptions ({@code widgets.live.subscribers}): it registers
     * them moments after they are sent, and releases them moments after their connection closes. Fails with what ended
     * the subscriptions of {@code subscribers}, if any did.
     */
    void awaitSubscribers(int expected, Subscribers subscribers) throws Exception {
        long until = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        double now = -1;
        while (System.nanoTime() < until) {
            now = client.metric("widgets.live.subscribers", null);
            if (now == expected) {
                return;
            }
            Subscribers.Status status = subscribers == null ? null : subscribers.status();
            if (status != null && status.errors() > 0) {
                throw new IllegalStateException(
                        status.errors() + " subscriptions failed, the first: " + status.firstError());
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(
                "the service counts " + now + " subscriptions after 2 minutes, not " + expected);
    }
}
