package com.widgets.api.history;

import com.widgets.db.WiringException;
import com.widgets.db.WiringStore;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;

/**
 * Deletes wiring history older than {@code widgets.history.retention}, every {@code widgets.history.prune-interval},
 * when a retention is set. Each replica tries; the database lets one prune at a time.
 */
@Component
class HistoryRetention implements SchedulingConfigurer {

    /** How much history one prune transaction deletes: it never grows with the backlog. */
    static final Duration WINDOW = Duration.ofMinutes(15);

    private static final Logger log = LoggerFactory.getLogger(HistoryRetention.class);

    private final WiringStore store;
    private final HistorySettings settings;

    HistoryRetention(WiringStore store, HistorySettings settings) {
        this.store = store;
        this.settings = settings;
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        if (!settings.retention().isZero()) {
            Duration every = settings.pruneInterval();
            registrar.addFixedDelayTask(new FixedDelayTask(this::pruneNow, every, every));
        }
    }

    private void pruneNow() {
        try {
            long deleted = prune(Instant.now());
            if (deleted > 0) {
                log.info("Deleted {} wiring history rows older than {}", deleted, settings.retention());
            }
        } catch (WiringException e) {
            log.warn("Could not prune the wiring history: {}", e.getMessage());
        }
    }

    /** Prunes what is older than the retention as of {@code now}; nothing when no retention is set. */
    long prune(Instant now) {
        if (settings.retention().isZero()) {
            return 0;
        }
        return store.pruneHistory(now.minus(settings.retention()), WINDOW);
    }
}
