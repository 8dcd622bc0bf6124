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
    void aRestartAfterAFailureMidJobEqualsAnUninterruptedRun() {
        Path file = GeneratedFiles.rewiring(temp.resolve("restart.csv"), 40, 600, 42);
        RewiringJob uninterrupted = run(file, RewiringMode.APPLY);
        Map<String, String> state = db.snapshot();
        List<Map<String, Object>> history = jdbc.queryForList(HISTORY);
        String report = report(uninterrupted.id());
        assertThat(uninterrupted.counts().rejected()).isPositive();

        db.reset();
        // The database refuses history from line 301 on: that chunk rolls back and the job fails there.
        jdbc.execute("""
                CREATE FUNCTION refuse_line_301() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.line_number >= 301 THEN RAISE EXCEPTION 'injected failure at line 301'; END IF;
                    RETURN NEW;
                END $$""");
        // (Citus creates triggers on distributed tables only when told it is safe; an inert setting elsewhere)
        jdbc.execute("SET citus.enable_unsafe_triggers TO on;"
                + " CREATE TRIGGER refuse_line_301 BEFORE INSERT ON wiring_history"
                + " FOR EACH ROW EXECUTE FUNCTION refuse_line_301()");
        RewiringJob failed;
        try {
            failed = run(file, RewiringMode.APPLY);
        } finally {
            // in the same statement as the setting: Citus refuses to drop it too without, and the pool may hand out
            // another connection than the one that created it
            jdbc.execute("SET citus.enable_unsafe_triggers TO on; DROP TRIGGER refuse_line_301 ON wiring_history");
            jdbc.execute("DROP FUNCTION refuse_line_301()");
        }
        assertThat(failed.status()).isEqualTo(RewiringStatus.FAILED);
        assertThat(failed.counts().read())
                .isBetween(300L, uninterrupted.counts().read() - 1);

        jobs.restart(failed.id());
        RewiringJob restarted = awaitEnd(failed.id());

        assertThat(restarted.status()).isEqualTo(RewiringStatus.COMPLETED);
        assertThat(restarted.counts()).isEqualTo(uninterrupted.counts());
        assertThat(db.snapshot()).isEqualTo(state);
        assertThat(jdbc.queryForList(HISTORY)).isEqualTo(history);
        assertThat(report(restarted.id())).isEqualTo(report);
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
