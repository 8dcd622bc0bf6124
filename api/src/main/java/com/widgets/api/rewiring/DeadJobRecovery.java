package com.widgets.api.rewiring;

import com.widgets.ingest.rewire.RewiringJobs;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;

/**
 * Resumes rewiring jobs whose process died, from their last committed chunk: once as the service starts, then every
 * {@link #EVERY}. On the embedded database a job the previous run of the service left running resumes at that first
 * look; with replicas, a job resumes once its holder has been silent for the holder timeout, on the one replica that
 * claims it first. Off with {@code widgets.rewiring.recover-dead-jobs=false}.
 */
@Component
class DeadJobRecovery implements SchedulingConfigurer {

    static final Duration EVERY = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(DeadJobRecovery.class);

    private final RewiringJobs jobs;
    private final RewiringSettings settings;

    DeadJobRecovery(RewiringJobs jobs, RewiringSettings settings) {
        this.jobs = jobs;
        this.settings = settings;
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        if (settings.recoverDeadJobs()) {
            registrar.addFixedDelayTask(new FixedDelayTask(this::recoverNow, EVERY, Duration.ZERO));
        }
    }

    private void recoverNow() {
        try {
            List<Long> recovered = jobs.recoverDeadJobs();
            if (!recovered.isEmpty()) {
                log.info("Recovered rewiring job(s) {} whose process had ended", recovered);
            }
        } catch (RuntimeException e) {
            log.warn("Could not look for rewiring jobs whose process ended: {}", e.getMessage());
        }
    }
}
