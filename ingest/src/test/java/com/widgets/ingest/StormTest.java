package com.widgets.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.db.ErrorCode;
import com.widgets.db.Origin;
import com.widgets.db.PortRef;
import com.widgets.db.PortType;
import com.widgets.db.WiringException;
import com.widgets.db.WiringStore;
import com.widgets.ingest.export.StateExport;
import com.widgets.ingest.rewire.RewiringJob;
import com.widgets.ingest.rewire.RewiringMode;
import com.widgets.ingest.rewire.RewiringStatus;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * Operators at work and a bulk job on the very same widgets: 16 clients link, unlink, remove and re-add at random on
 * 40 widgets for as long as a 20,000-line rewiring file over those widgets runs, with production-sized chunks. The
 * chunks keep meeting the clients' changes; the job must still complete — committing busy chunks in smaller parts —
 * while every client gets an answer and the wiring stays sound. And exports taken while such clients work must each be
 * a state that imports cleanly.
 */
@TestPropertySource(properties = "widgets.ingest.chunk-size=2000")
class StormTest extends JobTestSupport {

    private static final Logger log = LoggerFactory.getLogger(StormTest.class);
    private static final int WIDGETS = 40, CLIENTS = 16, LINES = 20_000;

    @Autowired
    WiringStore store;

    @Autowired
    StateExport export;

    @TempDir
    Path temp;

    @Test
    void aJobCompletesWhileSixteenClientsRewireTheSameWidgets() throws Exception {
        Path file = GeneratedFiles.rewiring(temp.resolve("storm.csv"), WIDGETS, LINES, 42);
        Operators operators = new Operators(WIDGETS).start();
        RewiringJob job;
        try {
            job = run(file, RewiringMode.APPLY);
        } finally {
            operators.stop();
        }
        log.info("Storm: job {} in {}-{}; {}", job.counts(), job.startedAt(), job.endedAt(), operators);

        assertThat(job.status()).as(job.message()).isEqualTo(RewiringStatus.COMPLETED);
        assertThat(job.counts().read()).isEqualTo(LINES);
        assertThat(job.counts().applied()
                        + job.counts().unchanged()
                        + job.counts().rejected())
                .isEqualTo(LINES);
        assertThat(report(job.id()).lines().skip(1).map(line -> line.split(",")[1]))
                .as("every reject carries a rule's code")
                .hasSize((int) job.counts().rejected())
                .allSatisfy(code -> assertThat(code)
                        .isIn("WIDGET_NOT_FOUND", "PORT_BUSY", "SELF_LINK", "WIDGET_EXISTS", "NOT_LINKED_TO"));
        operators.assertAnsweredWell();
        assertThat(db.count("SELECT count(*) FROM wiring_history WHERE job_id = ?", job.id()))
                .as("the job changed wiring")
                .isPositive();
        assertSound();
    }

    @Test
    void exportsTakenWhileClientsRewireImportIntoAnEmptyDatabaseWithNoRejectedLine() throws Exception {
        int widgets = 2_500; // three pages of the export
        run(GeneratedFiles.rewiring(temp.resolve("base.csv"), widgets, 6_000, 5), RewiringMode.APPLY);
        Operators operators = new Operators(widgets).start();
        List<Path> exports = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                Path exported = temp.resolve("export-" + i + ".csv");
                try (Writer out = Files.newBufferedWriter(exported, StandardCharsets.UTF_8)) {
                    export.write(out);
                }
                exports.add(exported);
            }
        } finally {
            operators.stop();
        }
        operators.assertAnsweredWell();
        for (Path exported : exports) {
            db.reset();
            RewiringJob imported = run(exported, RewiringMode.APPLY);
            assertThat(imported.status()).isEqualTo(RewiringStatus.COMPLETED);
            assertThat(imported.counts().rejected()).as(report(imported.id())).isZero();
            assertThat(db.count("SELECT count(*) FROM widget")).isPositive();
            assertSound();
        }
    }

    /** Operators at work: threads linking, unlinking, removing and re-adding at random among some widgets. */
    private final class Operators {
        private final int widgets;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final LongAdder calls = new LongAdder();
        private final Map<String, LongAdder> answers = new ConcurrentHashMap<>();
        private final AtomicLong slowestMillis = new AtomicLong();
        private final java.util.concurrent.atomic.AtomicReference<Throwable> unexpected =
                new java.util.concurrent.atomic.AtomicReference<>();
        private final java.util.Queue<Long> micros = new java.util.concurrent.ConcurrentLinkedQueue<>();
        private final ExecutorService threads = Executors.newFixedThreadPool(CLIENTS);
        private final List<Future<?>> clients = new ArrayList<>();

        Operators(int widgets) {
            this.widgets = widgets;
        }

        Operators start() {
            for (int t = 0; t < CLIENTS; t++) {
                clients.add(threads.submit(this::work));
            }
            return this;
        }

        private Void work() {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            Origin origin = Origin.request("operator", "storm");
            while (running.get()) {
                String serial = "W" + random.nextInt(widgets);
                PortRef a = new PortRef(serial, PortType.values()[random.nextInt(3)]);
                PortRef b = new PortRef("W" + random.nextInt(widgets), PortType.values()[random.nextInt(3)]);
                long start = System.nanoTime();
                String answer;
                try {
                    int what = random.nextInt(20);
                    if (what == 0) {
                        store.removeWidget(serial, origin);
                    } else if (what < 3) {
                        store.addWidget(serial, "widget " + serial.substring(1), EnumSet.allOf(PortType.class), origin);
                    } else if (what < 12) {
                        store.link(a, b, origin);
                    } else {
                        store.unlink(a, null, origin);
                    }
                    answer = "ok";
                } catch (WiringException refused) {
                    answer = refused.code().name();
                    if (refused.code() == ErrorCode.UNAVAILABLE || refused.code() == ErrorCode.BUSY) {
                        unexpected.compareAndSet(null, refused);
                        log.warn("A client's call failed", refused);
                    }
                }
                calls.increment();
                answers.computeIfAbsent(answer, k -> new LongAdder()).increment();
                long took = System.nanoTime() - start;
                micros.add(TimeUnit.NANOSECONDS.toMicros(took));
                slowestMillis.accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(took), Math::max);
            }
            return null;
        }

        void stop() throws Exception {
            running.set(false);
            for (Future<?> client : clients) {
                client.get(1, TimeUnit.MINUTES);
            }
            threads.shutdown();
        }

        void assertAnsweredWell() {
            assertThat(answers.keySet())
                    .as(
                            "every client answer is a success or a domain refusal; first other: %s",
                            unexpected.get() == null
                                    ? "none"
                                    : org.springframework.core.NestedExceptionUtils.getMostSpecificCause(
                                            unexpected.get()))
                    .isSubsetOf("ok", "WIDGET_NOT_FOUND", "PORT_BUSY", "SELF_LINK", "CONTENTION");
            long contention =
                    answers.getOrDefault("CONTENTION", new LongAdder()).sum();
            assertThat(contention * 100)
                    .as("CONTENTION under 1 %% of %s calls", calls)
                    .isLessThan(calls.sum());
        }

        @Override
        public String toString() {
            long[] sorted = micros.stream().mapToLong(Long::longValue).sorted().toArray();
            String p = sorted.length == 0
                    ? ""
                    : String.format(
                            java.util.Locale.ROOT,
                            " (p50 %.1f ms, p99 %.1f ms)",
                            sorted[sorted.length / 2] / 1000.0,
                            sorted[(int) (sorted.length * 0.99)] / 1000.0);
            return calls.sum() + " client calls" + p + ", slowest " + slowestMillis.get() + " ms, answers " + answers;
        }
    }
}
