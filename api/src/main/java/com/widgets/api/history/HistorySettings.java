package com.widgets.api.history;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long wiring history is kept, under {@code widgets.history.*}.
 *
 * @param retention history older than this is deleted; {@code 0} (the default) keeps it all
 * @param pruneInterval how often the service prunes (one replica at a time)
 */
@ConfigurationProperties("widgets.history")
public record HistorySettings(
        @DefaultValue("0") Duration retention,
        @DefaultValue("1h") Duration pruneInterval) {

    public HistorySettings {
        if (retention.isNegative()) {
            throw new IllegalArgumentException("widgets.history.retention must not be negative");
        }
        if (pruneInterval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("widgets.history.prune-interval must be at least 1s");
        }
    }
}
