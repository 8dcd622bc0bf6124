package com.widgets.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.ingest.rewire.RewiringJob;
import com.widgets.ingest.rewire.RewiringJobs;
import com.widgets.ingest.rewire.RewiringMode;
import com.widgets.ingest.rewire.RewiringStats;
import com.widgets.ingest.rewire.RewiringStatus;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The facade's keyset pages of jobs (as the API's connection reads them), by status, and the jobs' average time. */
class JobListTest extends JobTestSupport {

    @Test
    void pagesThroughJobsNewestFirstFilteredByStatus() {
        RewiringJob first = run(resource("rules/target-state.csv"), RewiringMode.APPLY);
        RewiringJob failed = run(resource("rules/unknown-column.csv"), RewiringMode.APPLY);
        RewiringJob third = run(resource("rules/target-state.csv"), RewiringMode.DRY_RUN);
        assertThat(failed.status()).isEqualTo(RewiringStatus.FAILED);

        assertThat(jobs.list(null, 2, null)).extracting(RewiringJob::id).containsExactly(third.id(), failed.id());
        assertThat(jobs.list(failed.id(), 1, null)).extracting(RewiringJob::id).containsExactly(first.id());
        assertThat(jobs.list(null, 1, RewiringStatus.FAILED)).singleElement().satisfies(job -> {
            assertThat(job.id()).isEqualTo(failed.id());
            assertThat(job.message()).contains("unknown column 'colour'");
        });
        assertThat(jobs.list(third.id() + 1, 2, RewiringStatus.COMPLETED))
                .extracting(RewiringJob::id)
                .containsExactly(third.id(), first.id());
        assertThat(jobs.list(null, 100, RewiringStatus.RUNNING)).isEmpty();
    }

    @Test
    void averagesTheTimeOfTheLatestCompletedJobs() {
        RewiringJob done = run(resource("rules/target-state.csv"), RewiringMode.APPLY);
        run(resource("rules/unknown-column.csv"), RewiringMode.APPLY);

        RewiringStats stats = jobs.stats(2);
        assertThat(stats.jobs()).isEqualTo(1);
        double seconds = Duration.between(done.startedAt(), done.endedAt()).toMillis() / 1000.0;
        assertThat(stats.averageSeconds()).isEqualTo(seconds);
        assertThat(jobs.averageSecondsPerJob(2)).isEqualTo(seconds);
    }

    @Test
    void tellsWhichFileNamesAJobCanRead() {
        assertThat(RewiringJobs.isRewiringFile("a.csv")).isTrue();
        assertThat(RewiringJobs.isRewiringFile("a.NDJSON.gz")).isTrue();
        assertThat(RewiringJobs.isRewiringFile("a.jsonl")).isTrue();
        assertThat(RewiringJobs.isRewiringFile("a.txt")).isFalse();
        assertThat(RewiringJobs.isRewiringFile("a.gz")).isFalse();
    }
}
