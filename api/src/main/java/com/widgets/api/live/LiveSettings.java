package com.widgets.api.live;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code widgets.live.*}: live updates.
 *
 * @param pollInterval how often a replica reads what committed since its last look while someone subscribes (the
 *     delay a change waits)
 * @param idlePollInterval how often it takes its bearings while nobody subscribes (a look then reads no rows); a new
 *     subscription does not wait for it
 * @param maxSubscriptions subscriptions one replica serves at most; the next one is refused
 * @param maxSubscriptionsPerConnection subscriptions one WebSocket connection may hold open at once
 * @param maxReplay changes a subscription resumed with {@code after} may be owed before it is refused
 * @param maxWebSocketMessage the largest message a WebSocket client may send (a GraphQL document and its variables);
 *     a longer one closes the connection with 1009; only a message longer than 2,048 characters is held whole, while
 *     its parts arrive
 */
@ConfigurationProperties("widgets.live")
record LiveSettings(
        @DefaultValue("20ms") Duration pollInterval,
        @DefaultValue("250ms") Duration idlePollInterval,
        @DefaultValue("10000") int maxSubscriptions,
        @DefaultValue("100") int maxSubscriptionsPerConnection,
        @DefaultValue("100000") int maxReplay,
        @DefaultValue("16KB") DataSize maxWebSocketMessage) {

    LiveSettings {
        if (pollInterval.compareTo(Duration.ofMillis(5)) < 0) {
            throw new IllegalArgumentException("widgets.live.poll-interval must be at least 5ms");
        }
        if (idlePollInterval.compareTo(pollInterval) < 0) {
            throw new IllegalArgumentException(
                    "widgets.live.idle-poll-interval must not be shorter than widgets.live.poll-interval");
        }
        if (maxSubscriptions < 1 || maxSubscriptionsPerConnection < 1 || maxReplay < 1) {
            throw new IllegalArgumentException("widgets.live.max-* settings must be positive");
        }
    }
}
