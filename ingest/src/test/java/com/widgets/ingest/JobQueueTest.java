package com.widgets.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.widgets.db.testing.TestDatabases;
import com.widgets.ingest.rewire.RewiringJob;
import com.widgets.ingest.rewire.RewiringMode;
import com.widgets.ingest.rewire.RewiringStatus;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.test.context.TestPropertySource;

/** Jobs beyond widgets.ingest.max-running-jobs wait PENDING in submission order; submitting never blocks. */
@TestPropertySource(properties = "widgets.ingest.max-running-jobs=1")
class JobQueueTest extends JobTestSupport {

    @TempDir
    Path dir;

    @Test
    void aJobBeyondTheLimitWaitsPendingThenRunsInTurn() {
        // Long enough to keep the queue busy; on Citus every 4-line chunk is a distributed transaction, far slower.
        int lines = TestDatabases.onCitus() ? 6_000 : 60_000;
        Path big = GeneratedFiles.rewiring(dir.resolve("big.csv"), 2_000, lines, 11);
        long first = jobs.submit(big, RewiringMode.APPLY);
        long second = jobs.submit(resource("rules/target-state.csv"), RewiringMode.APPLY);

        // submit returned while the first job still holds the only slot: the second waits, and says so
        assertThat(jobs.status(first).orElseThrow().status()).isIn(RewiringStatus.PENDING, RewiringStatus.RUNNING);
        assertThat(jobs.status(second).orElseThrow().status()).isEqualTo(RewiringStatus.PENDING);
        assertThatThrownBy(() -> jobs.restart(second)).hasMessageContaining("waiting to run");
        // and other replicas learn that this process holds both, however long the queue
        assertThat(holderRows(first, second)).isEqualTo(2);

        RewiringJob a = awaitEnd(first);
        RewiringJob b = awaitEnd(second);
        assertThat(a.status()).isEqualTo(RewiringStatus.COMPLETED);
        assertThat(b.status()).isEqualTo(RewiringStatus.COMPLETED);
        assertThat(b.startedAt()).isAfterOrEqualTo(a.endedAt());
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> holderRows(first, second) == 0);
        assertSound();
    }

    private int holderRows(long... ids) {
        return jdbc.queryForObject(
                "SELECT count(*) FROM rewiring_job_holder WHERE job_id = ANY(?)", Integer.class, (Object) ids);
    }
}
