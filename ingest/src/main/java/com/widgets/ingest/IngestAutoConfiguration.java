package com.widgets.ingest;

import com.widgets.db.WiringStore;
import com.widgets.db.WiringStoreAutoConfiguration;
import com.widgets.ingest.export.StateExport;
import com.widgets.ingest.inbox.InboxConfiguration;
import com.widgets.ingest.rewire.IngestProperties;
import com.widgets.ingest.rewire.RewiringJobConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.transaction.PlatformTransactionManager;

/** Makes the rewiring job, its facade, the state export and (when configured) the inbox pickup available. */
@AutoConfiguration(after = WiringStoreAutoConfiguration.class)
@EnableConfigurationProperties(IngestProperties.class)
@Import({RewiringJobConfiguration.class, InboxConfiguration.class})
public class IngestAutoConfiguration {

    @Bean
    StateExport stateExport(WiringStore store, PlatformTransactionManager transactions) {
        return new StateExport(store, transactions);
    }
}
