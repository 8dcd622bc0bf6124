package com.widgets.api.access;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code widgets.security.*}: who may call the API.
 *
 * @param adminToken a token that is an admin on every door (for automation; set it from a secret)
 * @param openReads whether callers without a token may read (queries, subscriptions, job status) as viewers
 * @param roleClaim the JWT claim that names the caller's role (a string or a list; the highest role wins)
 * @param tokenCache how long a minted token's lookup is remembered; a revocation reaches other processes within it
 * @param corsAllowedOrigins origins whose pages may call the API from a browser; none by default
 */
@ConfigurationProperties("widgets.security")
public record SecuritySettings(
        String adminToken,
        @DefaultValue("false") boolean openReads,
        @DefaultValue("roles") String roleClaim,
        @DefaultValue("5s") Duration tokenCache,
        @DefaultValue List<String> corsAllowedOrigins) {

    boolean hasAdminToken() {
        return adminToken != null && !adminToken.isBlank();
    }
}
