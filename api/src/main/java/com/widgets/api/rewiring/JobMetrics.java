package com.widgets.api.rewiring;

import com.widgets.db.WiringStore;
import com.widgets.ingest.rewire.RewiringJobs;
import com.widgets.ingest.rewire.RewiringStatus;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.springframework.stereotype.Component;

/**
 * Rewiring jobs for Prometheus, besides Spring Batch's own {@code spring_batch_*} timers: {@code
 * widgets_rewiring_jobs{status}}, the jobs of every replica by the status the API shows, read from the database (one
 * query, at most once a second however many gauges a scrape reads), {@code widgets_rewiring_lines_total}, the lines
 * this instance's jobs judged, whose rate is their lines per second, and {@code
 * widgets_rewiring_unread_chunks_total{assumption,kind}}, chunks of only links or only adds written without reading
 * them first.
 */
@Component
class JobMetrics implements MeterBinder {

    private static final Duration FRESH = Duration.ofSeconds(1);

    private final RewiringJobs jobs;
    private final WiringStore store;
    private Map<RewiringStatus, Long> counts;
    private long countedAt;

    JobMetrics(RewiringJobs jobs, WiringStore store) {
        this.jobs = jobs;
        this.store = store;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (RewiringStatus status : RewiringStatus.values()) {
            Gauge.builder("widgets.rewiring.jobs", this, metrics -> metrics.count(status))
                    .description("Rewiring jobs by the status of their latest run, on every replica")
                    .tag("status", status.name().toLowerCase(Locale.ROOT))
                    .register(registry);
        }
        FunctionCounter.builder("widgets.rewiring.lines", jobs, RewiringJobs::linesJudged)
                .description("Lines of rewiring files judged by this instance's jobs")
                .register(registry);
        for (boolean held : new boolean[] {true, false}) {
            unreadChunks(registry, "links", held, s -> s.unreadLinkChunks(held));
            unreadChunks(registry, "adds", held, s -> s.unreadAddChunks(held));
        }
    }

    private void unreadChunks(MeterRegistry registry, String kind, boolean held, ToDoubleFunction<WiringStore> count) {
        FunctionCounter.builder("widgets.rewiring.unread.chunks", store, count)
                .description("Chunks of only links or only adds written without reading them first: held, or missed"
                        + " (a port was not free, a widget existed; read and judged again)")
                .tag("assumption", held ? "held" : "missed")
                .tag("kind", kind)
                .register(registry);
    }

    private synchronized double count(RewiringStatus status) {
        long now = System.nanoTime();
        if (counts == null || now - countedAt > FRESH.toNanos()) {
            counts = jobs.countByStatus();
            countedAt = now;
        }
        return counts.getOrDefault(status, 0L);
    }
}
