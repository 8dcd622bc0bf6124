package com.widgets.api.system;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the service spends its threads on HTTP, under {@code widgets.http.*}.
 *
 * @param maxTransfers uploads and downloads (rewiring files in, reject reports and exports out) in progress at once,
 *     each on a thread of its own rather than one of the container's request threads; the next is answered {@code
 *     BUSY} (503 with {@code Retry-After})
 */
@ConfigurationProperties("widgets.http")
public record HttpSettings(@DefaultValue("64") int maxTransfers) {

    public HttpSettings {
        if (maxTransfers < 1) {
            throw new IllegalArgumentException("widgets.http.max-transfers must be at least 1");
        }
    }
}
