package com.widgets.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.ingest.rewire.RewiringJob;
import com.widgets.ingest.rewire.RewiringMode;
import com.widgets.ingest.rewire.RewiringStatus;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestartTest extends JobTestSupport {

    private static final String HISTORY = """
            SELECT serial_number, event, port, peer_serial, peer_port, name, ports, line_number
              FROM wiring_history ORDER BY id
            """;

    @TempDir
    Path temp;

    @Test
    void aRestartAfterAFailureMidJobEqualsAnUninterruptedRun() throws Exception {
        Path file = GeneratedFiles.rewiring(temp.resolve("restart.csv"), 40, 600, 42);
        Uninterrupted uninterrupted = uninterrupted(file);
        assertThat(uninterrupted.job.counts().rejected()).isPositive();

        // The database refuses history from line 301 on: that chunk rolls back and the job fails there.
        RewiringJob failed;
        try (AutoCloseable refused = historyFromLine301("RAISE EXCEPTION 'injected failure at line 301'")) {
            failed = run(file, RewiringMode.APPLY);
        }
        assertThat(failed.status()).isEqualTo(RewiringStatus.FAILED);
        assertThat(failed.counts().read())
                .isBetween(300L, uninterrupted.job.counts().read() - 1);

        assertRestartEndsAsUninterrupted(failed, uninterrupted);
    }

    /**
     * The database goes away under a chunk, and comes back just as the step records its failure — too late for that
     * record, in time for the job's (a database that hung for a while). Spring Batch leaves such a run UNKNOWN, which
     * it will not restart; ours says the database became unavailable and resumes from its last committed chunk.
     */
    @Test
    void aRunWhoseStepLostTheRecordOfItsFailureWithTheDatabaseIsFailedAndRestartable() throws Exception {
        Path file = GeneratedFiles.rewiring(temp.resolve("gone.csv"), 40, 600, 43);
        Uninterrupted uninterrupted = uninterrupted(file);

        // From line 301 on the server "shuts down" under every history insert; the step's first record of its end
        // meets the same, once.
        RewiringJob failed;
        StepEndLost lost = stepEndLostOnce("NEW.status NOT IN ('STARTED', 'COMPLETED')");
        try (lost;
                AutoCloseable gone = historyFromLine301(GONE)) {
            failed = run(file, RewiringMode.APPLY);
        }
        assertThat(lost.met()).as("the step's end met the outage").isTrue();
        assertThat(failed.status()).isEqualTo(RewiringStatus.FAILED);
        assertThat(failed.message()).contains("database became unavailable", "restartRewiring");
        assertThat(jdbc.queryForList(
                        "SELECT status FROM batch_job_execution WHERE job_instance_id = ?", String.class, failed.id()))
                .containsExactly("FAILED");
        assertThat(failed.counts().read()).as("up to its last committed chunk").isBetween(1L, 300L);

        assertRestartEndsAsUninterrupted(failed, uninterrupted);
    }

    /** An uninterrupted run of the file and what it left, on an emptied database that it leaves empty again. */
    private record Uninterrupted(
            RewiringJob job, Map<String, String> state, List<Map<String, Object>> history, String report) {}

    private Uninterrupted uninterrupted(Path file) {
        RewiringJob job = run(file, RewiringMode.APPLY);
        Uninterrupted run = new Uninterrupted(job, db.snapshot(), jdbc.queryForList(HISTORY), report(job.id()));
        db.reset();
        return run;
    }

    /** Until closed, every history insert from line 301 on runs {@code raise} (a PL/pgSQL statement). */
    private AutoCloseable historyFromLine301(String raise) {
        jdbc.execute("CREATE FUNCTION refuse_line_301() RETURNS trigger LANGUAGE plpgsql AS $$"
                + " BEGIN IF NEW.line_number >= 301 THEN " + raise + "; END IF; RETURN NEW; END $$");
        // (Citus creates triggers on distributed tables only when told it is safe; an inert setting elsewhere)
        jdbc.execute("SET citus.enable_unsafe_triggers TO on;"
                + " CREATE TRIGGER refuse_line_301 BEFORE INSERT ON wiring_history"
                + " FOR EACH ROW EXECUTE FUNCTION refuse_line_301()");
        return () -> {
            // in the same statement as the setting: Citus refuses to drop it too without, and the pool may hand out
            // another connection than the one that created it
            jdbc.execute("SET citus.enable_unsafe_triggers TO on; DROP TRIGGER refuse_line_301 ON wiring_history");
            jdbc.execute("DROP FUNCTION refuse_line_301()");
        };
    }

    private void assertRestartEndsAsUninterrupted(RewiringJob failed, Uninterrupted uninterrupted) {
        jobs.restart(failed.id());
        RewiringJob restarted = awaitEnd(failed.id());

        assertThat(restarted.status()).isEqualTo(RewiringStatus.COMPLETED);
        assertThat(restarted.counts()).isEqualTo(uninterrupted.job.counts());
        assertThat(db.snapshot()).isEqualTo(uninterrupted.state);
        assertThat(jdbc.queryForList(HISTORY)).isEqualTo(uninterrupted.history);
        assertThat(report(restarted.id())).isEqualTo(uninterrupted.report);
        assertSound();
    }

    @Test
    void aStoppedJobRestartsWhereItStopped() throws Exception {
        Path file = GeneratedFiles.rewiring(temp.resolve("stop.csv"), 100, 3000, 5);
        RewiringJob uninterrupted = run(file, RewiringMode.APPLY);
        Map<String, String> state = db.snapshot();
        db.reset();

        long id = jobs.submit(file, RewiringMode.APPLY);
        awaitRunning(id, 1);
        RewiringJob running = jobs.status(id).orElseThrow();
        assertThat(running.status()).isEqualTo(RewiringStatus.RUNNING);
        assertThat(running.secondsLeft()).isNotNull();
        assertThat(jobs.stop(id)).isTrue();
        RewiringJob stopped = awaitEnd(id);
        assertThat(stopped.status()).isEqualTo(RewiringStatus.STOPPED);
        assertThat(stopped.counts().read()).isLessThan(3000);

        jobs.restart(id);
        RewiringJob finished = awaitEnd(id);

        assertThat(finished.status()).isEqualTo(RewiringStatus.COMPLETED);
        assertThat(finished.counts()).isEqualTo(uninterrupted.counts());
        assertThat(db.snapshot()).isEqualTo(state);
        java.io.ByteArrayOutputStream report = new java.io.ByteArrayOutputStream();
        jobs.rejects(id, report);
        assertThat(report.toString(java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(report(uninterrupted.id()));
        assertSound();
    }

    @Test
    void aStoppedDryRunChangesNothingAndRunsAgainFromTheStart() throws Exception {
        Path file = GeneratedFiles.rewiring(temp.resolve("dry.csv"), 100, 3000, 9);

        long id = jobs.submit(file, RewiringMode.DRY_RUN);
        awaitRunning(id, 1);
        assertThat(jobs.stop(id)).isTrue();
        RewiringJob stopped = awaitEnd(id);
        assertThat(stopped.status()).isEqualTo(RewiringStatus.STOPPED);
        assertThat(db.count("SELECT count(*) FROM widget")).isZero();

        jobs.restart(id);
        RewiringJob finished = awaitEnd(id);
        assertThat(finished.status()).isEqualTo(RewiringStatus.COMPLETED);
        assertThat(finished.counts().read()).isEqualTo(3000);
        assertThat(db.count("SELECT count(*) FROM widget")).isZero();
        assertThat(db.count("SELECT count(*) FROM rewiring_reject WHERE job_id = ?", id))
                .isEqualTo(finished.counts().rejected());
    }
}
