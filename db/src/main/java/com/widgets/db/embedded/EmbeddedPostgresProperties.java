package com.widgets.db.embedded;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.core.env.Environment;

/**
 * Settings of the PostgreSQL server the service starts itself when no {@code spring.datasource.url} is set.
 *
 * @param dataDir where the cluster keeps its files; kept between runs
 * @param port TCP port on localhost; 0 picks a free one at each start
 * @param durable fsync and synchronous commit on (what users want); tests turn it off for speed
 * @param startupTimeout how long to wait for the server to accept connections
 * @param serverSettings PostgreSQL settings passed to the server at start ({@code -c name=value}), over the defaults
 *     (shared_buffers a quarter of the machine's memory within 128MB–8GB, 512MB on Windows; max_wal_size 8GB,
 *     checkpoint_timeout 30min, max_connections 200);
 *     fsync, synchronous_commit and full_page_writes belong to {@code durable}. Write names with dashes
 *     ({@code widgets.embedded.server-settings.shared-buffers=2GB}) or in brackets ({@code server-settings[work_mem]}):
 *     Spring drops underscores from map keys
 */
@ConfigurationProperties(EmbeddedPostgresProperties.PREFIX)
public record EmbeddedPostgresProperties(
        @DefaultValue("./data/postgres") Path dataDir,
        @DefaultValue("0") int port,
        @DefaultValue("true") boolean durable,
        @DefaultValue("60s") Duration startupTimeout,
        Map<String, String> serverSettings) {

    /** Bound early, from the environment (the server starts before other beans): see {@link #of}. */
    public static final String PREFIX = "widgets.embedded";

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_.]{0,62}");
    private static final Set<String> DURABILITY = Set.of("fsync", "synchronous_commit", "full_page_writes");

    @ConstructorBinding
    public EmbeddedPostgresProperties {
        Map<String, String> named = new TreeMap<>();
        if (serverSettings != null) {
            // Spring strips '_' from map keys in property names; shared-buffers stands for shared_buffers
            serverSettings.forEach((name, value) -> named.put(name.replace('-', '_'), value));
        }
        serverSettings = Collections.unmodifiableMap(named);
        for (Map.Entry<String, String> setting : serverSettings.entrySet()) {
            String name = setting.getKey();
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("widgets.embedded.server-settings: '" + name
                        + "' is not a PostgreSQL setting name (lower-case letters, digits, '_' and '.')");
            }
            if (DURABILITY.contains(name)) {
                throw new IllegalArgumentException("widgets.embedded.server-settings: set " + name
                        + " through widgets.embedded.durable, which keeps fsync, synchronous_commit and"
                        + " full_page_writes together");
            }
            if (setting.getValue() == null || setting.getValue().isBlank()) {
                throw new IllegalArgumentException("widgets.embedded.server-settings." + name + " needs a value");
            }
        }
    }

    /** The settings as the environment has them. */
    public static EmbeddedPostgresProperties of(Environment environment) {
        return Binder.get(environment).bindOrCreate(PREFIX, EmbeddedPostgresProperties.class);
    }

    /** The settings with the given durability and no server settings of its own. */
    public EmbeddedPostgresProperties(Path dataDir, int port, boolean durable, Duration startupTimeout) {
        this(dataDir, port, durable, startupTimeout, Map.of());
    }
}
