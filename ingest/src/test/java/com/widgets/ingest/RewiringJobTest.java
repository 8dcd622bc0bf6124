package com.widgets.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.ingest.rewire.RewiringJob;
import com.widgets.ingest.rewire.RewiringMode;
import com.widgets.ingest.rewire.RewiringStatus;
import org.junit.jupiter.api.Test;

class RewiringJobTest extends JobTestSupport {

    @Test
    void aFileWithEveryErrorCodeGivesTheExactReport() {
        RewiringJob job = run(resource("every-code.csv"), RewiringMode.APPLY);

        try {
            java.nio.file.Files.writeString(java.nio.file.Path.of("/tmp/every-code.rejects.csv"), report(job.id()));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        assertThat(job.status()).isEqualTo(RewiringStatus.COMPLETED);
        assertSound();
    }
}
