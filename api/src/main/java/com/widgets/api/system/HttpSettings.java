package com.widgets.api.system;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the service spends its threads on HTTP, under {@code widgets.http.*}.
 *
 * @param maxTransfers uploads and downloads (rewiring files in, reject reports and exports out) in progress at once,
 *     each on a thread of its own rather than one of the container's request threads; the next is answered {@code
 *     BUSY} (503 with {@code Retry-After})
 * @param requestThreads on platform threads (JDK 17–20), the request threads that run requests while none has waited
 *     long ({@link RequestThreads}); unset, 4 a processor and at least 8; at or above {@code
 *     server.tomcat.threads.max}, Tomcat's own pool of that many
 * @param growRequestThreadsAfter how long the oldest waiting request may wait before more request threads are started
 *     (up to {@code server.tomcat.threads.max}); they stop again once the wait has stayed under half of this for ten
 *     times as long
 */
@ConfigurationProperties("widgets.http")
public record HttpSettings(
        @DefaultValue("64") int maxTransfers,
        Integer requestThreads,
        @DefaultValue("100ms") Duration growRequestThreadsAfter) {

    public HttpSettings {
        if (maxTransfers < 1) {
            throw new IllegalArgumentException("widgets.http.max-transfers must be at least 1");
        }
        if (requestThreads != null && requestThreads < 1) {
            throw new IllegalArgumentException("widgets.http.request-threads must be at least 1");
        }
        if (growRequestThreadsAfter.compareTo(Duration.ofMillis(1)) < 0) {
            throw new IllegalArgumentException("widgets.http.grow-request-threads-after must be at least 1ms");
        }
    }

    /** {@link #requestThreads}, or its default for this many processors. */
    int requestThreads(int processors) {
        return requestThreads != null ? requestThreads : Math.max(8, 4 * processors);
    }
}
