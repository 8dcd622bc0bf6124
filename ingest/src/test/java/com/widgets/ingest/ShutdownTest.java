package com.widgets.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.db.testing.TestDatabases;
import com.widgets.ingest.rewire.RewiringJob;
import com.widgets.ingest.rewire.RewiringJobs;
import com.widgets.ingest.rewire.RewiringMode;
import com.widgets.ingest.rewire.RewiringStatus;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
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
 * stopped stays stopped, also when the stop came while the shutdown was stopping it.
 */
class ShutdownTest extends JobTestSupport {

    private static final int CHUNK = 50;
    private static final String BY_SHUTDOWN = "Stopped by its service's shutdown";

    @TempDir
    Path temp;

    @Autowired
    Environment environment;

    @Autowired
    DataSource dataSource;

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

    @Test
    void aJobSomeoneStopsWhileItsServiceShutdownStopsItStaysStopped() throws Exception {
        Path file = GeneratedFiles.rewiring(temp.resolve("stopping.csv"), 100, 4000, 13);
        ConfigurableApplicationContext service = service();
        Thread shutdown = new Thread(service::close, "shutdown");
        long id;
        try (Connection holder = dataSource.getConnection()) {
            id = service.getBean(RewiringJobs.class).submit(file, RewiringMode.APPLY);
            awaitRunning(id, 1);
            // the job's next chunk waits on the port table, so the job stays stopping until it is let go
            holder.setAutoCommit(false);
            try (Statement lock = holder.createStatement()) {
                lock.execute("LOCK TABLE port IN SHARE MODE");
            }
            shutdown.start();
            awaitLatestExecution(id, "STOPPING");
            assertThat(jdbc.queryForObject(
                            "SELECT exit_message FROM batch_job_execution WHERE job_instance_id = ?"
                                    + " ORDER BY job_execution_id DESC LIMIT 1",
                            String.class,
                            id))
                    .startsWith(BY_SHUTDOWN);

            assertThat(jobs.stop(id))
                    .as("stopped on purpose while it stops for the shutdown")
                    .isTrue();
            holder.rollback();
        } finally {
            if (shutdown.getState() != Thread.State.NEW) {
                shutdown.join(TimeUnit.MINUTES.toMillis(1));
            }
            service.close(); // when the test failed before the shutdown began, or it did not end
        }

        RewiringJob kept = jobs.status(id).orElseThrow();
        assertThat(kept.status()).isEqualTo(RewiringStatus.STOPPED);
        assertThat(kept.message()).as("not marked for resuming").isNull();
        assertThat(jobs.recoverDeadJobs()).doesNotContain(id);
        assertThat(jobs.status(id).orElseThrow().status()).isEqualTo(RewiringStatus.STOPPED);
    }

    private void awaitLatestExecution(long id, String status) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!status.equals(jdbc.queryForObject(
                "SELECT status FROM batch_job_execution WHERE job_instance_id = ? ORDER BY job_execution_id DESC LIMIT 1",
                String.class,
                id))) {
            assertThat(System.nanoTime())
                    .as("job %d %s within 30 s", id, status)
                    .isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
