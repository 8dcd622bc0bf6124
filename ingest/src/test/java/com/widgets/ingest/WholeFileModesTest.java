package com.widgets.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.db.Origin;
import com.widgets.db.PortRef;
import com.widgets.db.PortType;
import com.widgets.db.WiringException;
import com.widgets.db.WiringStore;
import com.widgets.ingest.rewire.RewiringJob;
import com.widgets.ingest.rewire.RewiringMode;
import com.widgets.ingest.rewire.RewiringStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;

/** Dry runs that touch nothing, and atomic jobs that hold their locks only while they write. */
class WholeFileModesTest extends JobTestSupport {

    private static final int WIDGETS = 40;

    @Autowired
    WiringStore store;

    @TempDir
    Path temp;

    @Test
    void aDryRunOfManyChunksReportsLineByLineWhatApplyThenDoes() {
        Path file = GeneratedFiles.rewiring(temp.resolve("many.csv"), WIDGETS, 1_500, 21);
        Map<String, String> before = db.snapshot();

        RewiringJob dry = run(file, RewiringMode.DRY_RUN);
        assertThat(db.snapshot()).isEqualTo(before);
        assertThat(db.count("SELECT count(*) FROM wiring_history")).isZero();
        RewiringJob applied = run(file, RewiringMode.APPLY);

        assertThat(dry.status()).isEqualTo(RewiringStatus.COMPLETED);
        assertThat(dry.counts()).isEqualTo(applied.counts());
        assertThat(dry.counts().rejected()).isPositive();
        assertThat(report(dry.id())).isEqualTo(report(applied.id()));
    }

    @Test
    void aDryRunLocksNothingSoChangesToItsWidgetsGoOnWhileItRuns() throws Exception {
        run(GeneratedFiles.rewiring(temp.resolve("adds.csv"), WIDGETS, WIDGETS, 1), RewiringMode.APPLY);
        long id = jobs.submit(
                GeneratedFiles.rewiring(temp.resolve("long.csv"), WIDGETS, 12_000, 22), RewiringMode.DRY_RUN);
        // by then the dry run has been through every port of the 40 widgets
        Awaitility.await()
                .atMost(Duration.ofMinutes(1))
                .until(() -> jobs.status(id).orElseThrow().counts().read() > 1_000);

        Random random = new Random(3);
        Origin origin = Origin.request("operator", "during-dry-run");
        int whileRunning = 0;
        for (int i = 0; i < 40 && running(id); i++) {
            PortRef a = new PortRef("W" + random.nextInt(WIDGETS), PortType.values()[random.nextInt(3)]);
            PortRef b = new PortRef("W" + random.nextInt(WIDGETS), PortType.values()[random.nextInt(3)]);
            try {
                if (i % 2 == 0) {
                    store.link(a, b, origin);
                } else {
                    store.unlink(a, null, origin);
                }
            } catch (WiringException refused) {
                // a busy port or a self link: answered, which is the point
            }
            if (running(id)) {
                whileRunning++;
            }
        }
        jobs.stop(id); // no need to judge the rest
        RewiringJob dry = awaitEnd(id);

        assertThat(whileRunning)
                .as("changes to the dry run's widgets answered while it was still running")
                .isEqualTo(40);
        assertThat(dry.status()).isIn(RewiringStatus.STOPPED, RewiringStatus.COMPLETED);
        assertThat(db.count("SELECT count(*) FROM wiring_history WHERE job_id = ?", id))
                .isZero();
        assertSound();
    }

    @Test
    void anAtomicJobOverTheLineLimitIsRefusedBeforeAnythingIsJudged() {
        RewiringJob job = run(GeneratedFiles.rewiring(temp.resolve("big.csv"), WIDGETS, 1_001, 4), RewiringMode.ATOMIC);

        assertThat(job.status()).isEqualTo(RewiringStatus.FAILED);
        assertThat(job.message())
                .isEqualTo("Atomic mode takes files of up to 1000 lines (widgets.ingest.atomic-max-lines) and this"
                        + " one has 1001; nothing was applied. Split it, or run it in apply mode.");
        assertThat(job.counts().read()).isZero();
        assertThat(db.count("SELECT count(*) FROM widget")).isZero();
    }

    @Test
    void anAtomicJobWithinTheLimitAppliesEverythingAtOnce() {
        Path file = GeneratedFiles.rewiring(temp.resolve("ok.csv"), WIDGETS, WIDGETS, 5);

        RewiringJob job = run(file, RewiringMode.ATOMIC);

        assertThat(job.status()).isEqualTo(RewiringStatus.COMPLETED);
        assertThat(job.counts().applied()).isEqualTo(WIDGETS);
        assertThat(db.count("SELECT count(*) FROM widget")).isEqualTo(WIDGETS);
        assertSound();
    }

    /**
     * The atomic write commits, then the database goes away as the step records its end: the job is FAILED, saying so,
     * with everything applied. Restarted — even from the UNKNOWN an earlier version left such a run in — it completes
     * with the write's counts, without running the file again (which would reject its own adds).
     */
    @Test
    void anAtomicJobWhoseWriteCommittedButWhoseEndWasLostCompletesOnRestartWithoutWritingAgain() throws IOException {
        StringBuilder lines = new StringBuilder("op,serial_number,port,peer_serial_number,peer_port,name,ports\n");
        for (int i = 0; i < WIDGETS; i++) {
            lines.append("add,E").append(i).append(",,,,end ").append(i).append(",PRQ\n");
        }
        for (int i = 0; i + 1 < WIDGETS; i += 2) {
            lines.append("link,E").append(i).append(",P,E").append(i + 1).append(",Q,,\n");
        }
        for (int i = 0; i + 1 < WIDGETS; i += 4) {
            lines.append("unlink,E").append(i).append(",P,E").append(i + 1).append(",Q,,\n");
        }
        Path file = Files.writeString(temp.resolve("lost-end.csv"), lines);
        RewiringJob uninterrupted = run(file, RewiringMode.ATOMIC);
        assertThat(uninterrupted.status()).as(uninterrupted.message()).isEqualTo(RewiringStatus.COMPLETED);
        Map<String, String> state = db.snapshot();
        long history = db.count("SELECT count(*) FROM wiring_history");

        db.reset();
        RewiringJob failed;
        StepEndLost lost = stepEndLostOnce("NEW.status = 'COMPLETED'");
        try (lost) {
            failed = run(file, RewiringMode.ATOMIC);
        }
        assertThat(lost.met()).as("the step's end met the outage").isTrue();
        assertThat(failed.status()).isEqualTo(RewiringStatus.FAILED);
        assertThat(failed.message()).contains("database became unavailable", "restartRewiring");
        assertThat(db.snapshot()).as("the write committed").isEqualTo(state);

        // as an earlier version left such a run: Spring Batch's UNKNOWN, which it will not restart
        jdbc.update("UPDATE batch_job_execution SET status = 'UNKNOWN' WHERE job_instance_id = ?", failed.id());
        jdbc.update(
                "UPDATE batch_step_execution SET status = 'UNKNOWN' WHERE job_execution_id IN"
                        + " (SELECT job_execution_id FROM batch_job_execution WHERE job_instance_id = ?)",
                failed.id());
        assertThat(jobs.status(failed.id()).orElseThrow().status()).isEqualTo(RewiringStatus.FAILED);

        jobs.restart(failed.id());
        RewiringJob restarted = awaitEnd(failed.id());

        assertThat(restarted.status()).as(restarted.message()).isEqualTo(RewiringStatus.COMPLETED);
        assertThat(restarted.counts()).isEqualTo(uninterrupted.counts());
        assertThat(db.snapshot()).isEqualTo(state);
        assertThat(db.count("SELECT count(*) FROM wiring_history")).isEqualTo(history);
        assertThat(report(restarted.id())).isEqualTo(report(uninterrupted.id()));
        assertSound();
    }

    private boolean running(long id) {
        return jobs.status(id).orElseThrow().status() == RewiringStatus.RUNNING;
    }
}
