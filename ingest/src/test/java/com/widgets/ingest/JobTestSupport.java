package com.widgets.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.db.testing.WiringDatabase;
import com.widgets.ingest.rewire.RewiringJob;
import com.widgets.ingest.rewire.RewiringJobs;
import com.widgets.ingest.rewire.RewiringMode;
import com.widgets.ingest.rewire.RewiringStatus;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

/** Runs real rewiring jobs on real files against the embedded PostgreSQL, and reads back what they did. */
@SpringBootTest(classes = IngestTestApplication.class)
public abstract class JobTestSupport {

    @Autowired
    protected RewiringJobs jobs;

    @Autowired
    protected JdbcTemplate jdbc;

    protected WiringDatabase db;

    @BeforeEach
    void emptyDatabase() {
        db = new WiringDatabase(jdbc);
        db.reset();
        jdbc.execute("TRUNCATE rewiring_reject, rewiring_inbox_claim");
    }

    protected static Path resource(String name) {
        try {
            return Path.of(JobTestSupport.class.getResource("/files/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    protected RewiringJob run(Path file, RewiringMode mode) {
        long id = jobs.submit(file, mode);
        return awaitEnd(id);
    }

    protected RewiringJob awaitEnd(long id) {
        try {
            return jobs.await(id, Duration.ofMinutes(5));
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until the job has read {@code lines}, failing (not hanging) if it ends or stalls first. */
    protected void awaitRunning(long id, long lines) {
        Awaitility.await()
                .atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(5))
                .until(() -> {
                    RewiringJob job = jobs.status(id).orElseThrow();
                    if (job.counts().read() >= lines) {
                        return true;
                    }
                    assertThat(job.status()).as("%s", job).isIn(RewiringStatus.PENDING, RewiringStatus.RUNNING);
                    return false;
                });
    }

    protected String report(long id) {
        StringWriter out = new StringWriter();
        jobs.rejects(id, out);
        return out.toString();
    }

    protected static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a database that goes away answers a statement: {@code 57P01}, the server shutting down. */
    protected static final String GONE = "RAISE EXCEPTION 'terminating connection due to administrator command'"
            + " USING ERRCODE = 'admin_shutdown'";

    /**
     * Until closed, the first update of a step's record that matches {@code condition} (over {@code NEW}) meets {@link
     * #GONE}, once; every other record, the job's own included, goes through — a database that came back just after
     * the step's end was recorded, in time for the job's.
     */
    protected StepEndLost stepEndLostOnce(String condition) {
        jdbc.execute("CREATE SEQUENCE step_end_refusals");
        jdbc.execute("CREATE FUNCTION gone_at_step_end() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF " + condition
                + " AND nextval('step_end_refusals') = 1 THEN " + GONE + "; END IF; RETURN NEW; END $$");
        jdbc.execute("CREATE TRIGGER gone_at_step_end BEFORE UPDATE ON batch_step_execution"
                + " FOR EACH ROW EXECUTE FUNCTION gone_at_step_end()");
        return new StepEndLost();
    }

    /** {@link #stepEndLostOnce}'s trigger; {@link #met} tells whether a step's record met it. */
    protected final class StepEndLost implements AutoCloseable {
        private boolean met;

        public boolean met() {
            return met;
        }

        @Override
        public void close() {
            jdbc.execute("DROP TRIGGER gone_at_step_end ON batch_step_execution");
            jdbc.execute("DROP FUNCTION gone_at_step_end()");
            met = jdbc.queryForObject("SELECT is_called FROM step_end_refusals", Boolean.class);
            jdbc.execute("DROP SEQUENCE step_end_refusals");
        }
    }

    protected void assertSound() {
        assertThat(db.invariantViolations()).isEmpty();
        assertThat(db.replayHistory()).isEqualTo(db.snapshot());
    }
}
