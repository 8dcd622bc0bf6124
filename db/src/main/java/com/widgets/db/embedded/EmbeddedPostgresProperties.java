package com.widgets.db.embedded;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the PostgreSQL server the service starts itself when no {@code spring.datasource.url} is set.
 *
 * @param dataDir where the cluster keeps its files; kept between runs
 * @param port TCP port on localhost; 0 picks a free one at each start
 * @param durable fsync and synchronous commit on (what users want); tests turn it off for speed
 * @param startupTimeout how long to wait for the server to accept connections
 */
@ConfigurationProperties("widgets.embedded")
public record EmbeddedPostgresProperties(
        @DefaultValue("./data/postgres") Path dataDir,
        @DefaultValue("0") int port,
        @DefaultValue("true") boolean durable,
        @DefaultValue("60s") Duration startupTimeout) {}
