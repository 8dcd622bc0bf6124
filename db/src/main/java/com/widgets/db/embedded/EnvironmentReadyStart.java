package com.widgets.db.embedded;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.boot.context.event.SpringApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Begins the embedded server's start as soon as a Spring Boot application's environment is ready (its configuration
 * read), when no {@code spring.datasource.url} is set: before the application context is created, about two seconds
 * earlier on a cold JVM than the auto-configuration could, which goes to the context's reading of its configuration
 * classes. The auto-configuration takes it over ({@link EarlyStart}); if it did not — the application failed first, or
 * its context was made with other settings — the start is given back once the application has started or failed.
 * Registered in {@code META-INF/spring.factories}.
 */
public final class EnvironmentReadyStart implements ApplicationListener<SpringApplicationEvent>, Ordered {

    private static final Logger log = LoggerFactory.getLogger(EnvironmentReadyStart.class);

    /** The settings of the start this application began, given back if no context took it. */
    private EmbeddedPostgresProperties begun;

    @Override
    public void onApplicationEvent(SpringApplicationEvent event) {
        if (event instanceof ApplicationEnvironmentPreparedEvent prepared) {
            begin(prepared.getEnvironment());
        } else if ((event instanceof ApplicationStartedEvent || event instanceof ApplicationFailedEvent)
                && begun != null) {
            EarlyStart.giveBack(begun);
            begun = null;
        }
    }

    private void begin(ConfigurableEnvironment environment) {
        if (!EmbeddedPostgresAutoConfiguration.NoDatasourceUrl.applies(environment)) {
            return;
        }
        EmbeddedPostgresProperties settings;
        try {
            settings = EmbeddedPostgresProperties.of(environment);
        } catch (RuntimeException e) {
            // settings that do not bind fail the context where they always did, with the same message
            log.debug("Embedded PostgreSQL not started early: {}", e.getMessage());
            return;
        }
        if (EarlyStart.begin(settings)) {
            begun = settings;
        }
    }

    /** After the listeners that read the configuration files into the environment. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
