package com.widgets.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.ingest.rewire.RewiringJob;
import com.widgets.ingest.rewire.RewiringMode;
import com.widgets.ingest.rewire.RewiringStatus;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.test.context.TestPropertySource;

/** A generated 200,000-line file end to end with production-sized chunks; asserts outcomes, logs the rate. */
@TestPropertySource(properties = "widgets.ingest.chunk-size=2000")
class BigFileTest extends JobTestSupport {

    private static final Logger log = LoggerFactory.getLogger(BigFileTest.class);

    @TempDir
    Path temp;

    @Test
    void aGenerated200kLineFileEndToEnd() {
        Path file = GeneratedFiles.rewiring(temp.resolve("big.csv"), 50_000, 200_000, 2026);

        RewiringJob job = run(file, RewiringMode.APPLY);

        log.info(
                "200k-line file: {} in {} ms, {} lines/s",
                job.counts(),
                job.endedAt().toEpochMilli() - job.startedAt().toEpochMilli(),
                Math.round(job.opsPerSecond()));
        assertThat(job.status()).isEqualTo(RewiringStatus.COMPLETED);
        assertThat(job.totalLines()).isEqualTo(200_000);
        assertThat(job.counts().read()).isEqualTo(200_000);
        assertThat(job.counts().applied()
                        + job.counts().unchanged()
                        + job.counts().rejected())
                .isEqualTo(200_000);
        assertThat(db.count("SELECT count(*) FROM widget")).isEqualTo(50_000);
        assertThat(db.count("SELECT count(*) FROM rewiring_reject WHERE job_id = ?", job.id()))
                .isEqualTo(job.counts().rejected());
        long linked = db.count("SELECT count(*) FROM port WHERE peer_serial IS NOT NULL");
        long changedHistory =
                db.count("SELECT count(DISTINCT line_number) FROM wiring_history WHERE job_id = ?", job.id());
        assertThat(changedHistory).isEqualTo(job.counts().applied());
        assertThat(linked).isPositive();
        assertThat(db.invariantViolations()).isEmpty();
    }
}
