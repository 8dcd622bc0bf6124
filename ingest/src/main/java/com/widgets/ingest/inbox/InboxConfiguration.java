package com.widgets.ingest.inbox;

import com.widgets.ingest.rewire.IngestProperties;
import com.widgets.ingest.rewire.JobHolders;
import com.widgets.ingest.rewire.RewiringJobs;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;

/** Looks in {@code widgets.ingest.inbox} on the {@code widgets.ingest.schedule} cron, when an inbox is configured. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty("widgets.ingest.inbox")
public class InboxConfiguration {

    @Bean
    InboxPickup inboxPickup(RewiringJobs jobs, JdbcTemplate jdbc, IngestProperties settings) {
        return new InboxPickup(settings.inbox(), jobs, jdbc, JobHolders.processName());
    }

    @Bean
    InboxSchedule inboxSchedule(InboxPickup pickup) {
        return new InboxSchedule(pickup);
    }

    /** The cron trigger, apart from the pickup so that tests can drive the pickup directly. */
    static class InboxSchedule {
        private final InboxPickup pickup;

        InboxSchedule(InboxPickup pickup) {
            this.pickup = pickup;
        }

        @Scheduled(cron = "${widgets.ingest.schedule:*/30 * * * * *}")
        void run() {
            pickup.pickUp();
        }
    }
}
