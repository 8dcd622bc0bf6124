package com.widgets.ingest;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Defaults for any application that includes the rewiring job: Boot must not run jobs at start-up (they need a file),
 * Liquibase, not Boot, creates Spring Batch's tables, jobs may start concurrently (uploads, several replicas), the task
 * scheduler has threads enough for the periodic tasks, and a line read gets no observation of its own. Lowest
 * precedence, so any setting overrides them.
 */
class BatchDefaults implements EnvironmentPostProcessor {

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        environment
                .getPropertySources()
                .addLast(new MapPropertySource(
                        "widgetsIngestDefaults",
                        Map.of(
                                "spring.batch.job.enabled", "false",
                                "spring.batch.jdbc.initialize-schema", "never",
                                // Serializable (Batch's default) makes concurrent job starts fail on PostgreSQL;
                                // the unique job key still keeps an instance from being created twice.
                                "spring.batch.jdbc.isolation-level-for-create", "read-committed",
                                // No Micrometer observation per line read and processed: two per line cost ~3 s of
                                // the job thread's 42 s on a 1M-line link file (bench/PROFILE.md). Per chunk write,
                                // step and job stay; widgets_rewiring_lines_total counts the lines.
                                "management.observations.enable.spring.batch.item", "false",
                                // One scheduler runs all periodic work (holder beat, inbox, the service's tasks);
                                // the inbox pickup waits for its job, so one thread would hold up the beat.
                                "spring.task.scheduling.pool.size", "4")));
    }
}
