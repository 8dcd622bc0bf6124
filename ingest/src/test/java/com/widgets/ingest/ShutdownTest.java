package com.widgets.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.db.testing.TestDatabases;
import com.widgets.ingest.rewire.RewiringJob;
import com.widgets.ingest.rewire.RewiringJobs;
import com.widgets.ingest.rewire.RewiringMode;
import com.widgets.ingest.rewire.RewiringStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

/**
 * A service that shuts down (its application context closes, as on SIGTERM) stops its running job at a chunk boundary,
 * marked as stopped by the shutdown; the next start resumes it, and it ends as an uninterrupted run. A job someone
 * stopped stays stopped.
 */
class ShutdownTest extends JobTestSupport {

    private static final int CHUNK = 50;
    private static final String BY_SHUTDOWN = "Stopped by its service's shutdown";

    @TempDir
    Path temp;

    @Autowired
    Environment environment;

    /** A second service on this test's database (on Citus every context would otherwise get a fresh one). */
    private ConfigurableApplicationContext service() {
        List<String> args = new ArrayList<>();
        if (TestDatabases.onCitus()) {
            args.addAll(TestDatabases.sameDatabaseArgs(environment));
        }
        args.add("--widgets.ingest.chunk-size=" + CHUNK);
        return new SpringApplicationBuilder(IngestTestApplication.class)
                .web(WebApplicationType.NONE)
                .run(args.toArray(String[]::new));
    }

    @Test
    void aJobStopsAtAChunkBoundaryWhenItsServiceShutsDownAndResumesAtTheNextStart() throws Exception {
        Path file = GeneratedFiles.rewiring(temp.resolve("shutdown.csv"), 100, 4000, 11);
        RewiringJob uninterrupted = run(file, RewiringMode.APPLY);
        Map<String, String> state = db.snapshot();
        String report = report(uninterrupted.id());
        db.reset();

        ConfigurableApplicationContext service = service();
        long id;
        try {
            id = service.getBean(RewiringJobs.class).submit(file, RewiringMode.APPLY);
            awaitRunning(id, 5 * CHUNK);
        } finally {
            service.close();
        }

        RewiringJob stopped = jobs.status(id).orElseThrow();
        assertThat(stopped.status()).isEqualTo(RewiringStatus.STOPPED);
        assertThat(stopped.message()).startsWith(BY_SHUTDOWN);
        long read = stopped.counts().read();
        assertThat(read).as("stopped before the end").isLessThan(stopped.totalLines());
        assertThat(read % CHUNK).as("whole chunks committed, %d lines", read).isZero();
        assertThat(jdbc.queryForObject("SELECT last_line FROM rewiring_job_progress WHERE job_id = ?", Long.class, id))
                .as("the last committed line (the header is line 1)")
                .isEqualTo(read + 1);

        assertThat(jobs.recoverDeadJobs()).contains(id);
        RewiringJob finished = awaitEnd(id);
        assertThat(finished.status()).isEqualTo(RewiringStatus.COMPLETED);
        assertThat(finished.message()).isNull();
        assertThat(finished.counts()).isEqualTo(uninterrupted.counts());
        assertThat(db.snapshot()).isEqualTo(state);
        assertThat(report(id)).isEqualTo(report);
        assertSound();
    }

    @Test
    void aJobStoppedByAShutdownAndThenBySomeoneStaysStopped() throws Exception {
        Path file = GeneratedFiles.rewiring(temp.resolve("kept.csv"), 100, 4000, 12);
        ConfigurableApplicationContext service = service();
        long id;
        try {
            id = service.getBean(RewiringJobs.class).submit(file, RewiringMode.APPLY);
            awaitRunning(id, 1);
        } finally {
            service.close();
        }
        assertThat(jobs.status(id).orElseThrow().message()).startsWith(BY_SHUTDOWN);

        assertThat(jobs.stop(id)).isTrue();
        assertThat(jobs.recoverDeadJobs()).doesNotContain(id);
        RewiringJob kept = jobs.status(id).orElseThrow();
        assertThat(kept.status()).isEqualTo(RewiringStatus.STOPPED);
        assertThat(kept.message()).isNull();
    }
}
