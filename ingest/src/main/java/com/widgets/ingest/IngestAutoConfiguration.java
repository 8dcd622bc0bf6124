package com.widgets.ingest;

import com.widgets.db.WiringStoreAutoConfiguration;
import com.widgets.ingest.inbox.InboxConfiguration;
import com.widgets.ingest.rewire.IngestProperties;
import com.widgets.ingest.rewire.RewiringJobConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Makes the rewiring job, its facade ({@link com.widgets.ingest.rewire.RewiringJobs}), the state export and (when
 * {@code widgets.ingest.inbox} is set) the inbox pickup available to any application that has this module. Scheduling
 * is on, so that Boot provides the one task scheduler that runs the job holders' beat and the application's other
 * periodic work.
 */
@AutoConfiguration(after = WiringStoreAutoConfiguration.class)
@EnableConfigurationProperties(IngestProperties.class)
@EnableScheduling
@Import({RewiringJobConfiguration.class, InboxConfiguration.class})
public class IngestAutoConfiguration {}
