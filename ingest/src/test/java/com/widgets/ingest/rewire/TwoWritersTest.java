package com.widgets.ingest.rewire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.widgets.db.Origin;
import com.widgets.db.PortRef;
import com.widgets.db.PortType;
import com.widgets.db.WiringException;
import com.widgets.db.WiringStore;
import com.widgets.db.testing.TestDatabases;
import com.widgets.ingest.IngestTestApplication;
import com.widgets.ingest.JobTestSupport;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.TestPropertySource;

/**
 * Chunks written by two writers end exactly as with one: the same reject report, counts, wiring and history rows, and
 * the same committed prefix when a half fails. This context writes with two writers; a second service on the same
 * database writes the same files with one, both in chunks of 2,000 lines whose halves are the blocks of 1,000 lines
 * the files are generated in.
 */
@TestPropertySource(properties = {"widgets.ingest.chunk-size=2000", "widgets.ingest.writers=2"})
class TwoWritersTest extends JobTestSupport {

    private static final int CHUNK = 2000;
    private static final int HALF = CHUNK / 2;
    private static final int WIDGETS = 4000;
    private static final String HEADER = "op,serial_number,port,peer_serial_number,peer_port,name,ports\n";

    /** The same application with one writer, on this test's database. */
    private static ConfigurableApplicationContext oneWriter;

    @TempDir
    Path dir;

    @Autowired
    SecondWriter secondWriter;

    @Autowired
    DataSource dataSource;

    @Autowired
    WiringStore store;

    @BeforeEach
    void startOneWriterService() {
        assumeFalse(TestDatabases.onCitus(), "one writer on Citus (its shard locks serialise the halves' writes)");
        assertThat(secondWriter.enabled()).isTrue();
        if (oneWriter == null) {
            HikariDataSource pool = (HikariDataSource) dataSource;
            oneWriter = new SpringApplicationBuilder(IngestTestApplication.class)
                    .web(WebApplicationType.NONE)
                    .run(
                            "--spring.datasource.url=" + pool.getJdbcUrl(),
                            "--spring.datasource.username=" + pool.getUsername(),
                            "--spring.datasource.password=" + (pool.getPassword() == null ? "" : pool.getPassword()),
                            "--widgets.ingest.chunk-size=" + CHUNK,
                            "--widgets.ingest.writers=1");
        }
    }

    @AfterAll
    static void stopOneWriterService() {
        if (oneWriter != null) {
            oneWriter.close();
            oneWriter = null;
        }
    }

    @Test
    void linksOnlyEndAsWithOneWriterAndTakeTwoWriters() {
        // first halves link P and R ports, second halves Q ports of the same widgets: each second half is written
        // beside the first half of the next chunk too
        Path file = file("links.csv", 8, block -> links(block, block % 2 == 0 ? "PR" : "Q", 0));
        assertSameOutcome(file, 4);
    }

    @Test
    void addsOnlyEndAsWithOneWriterAndTakeTwoWriters() {
        Path file = file("adds.csv", 4, TwoWritersTest::adds);
        assertSameOutcome(file, 2);
    }

    @Test
    void linksAndUnlinksNamingTheirPeersEndAsWithOneWriterAndTakeTwoWriters() {
        Path file = file("unlinks.csv", 8, block -> links(block, block % 2 == 0 ? "P" : "RQ", 40));
        assertSameOutcome(file, 4);
    }

    @Test
    void aChunkWithARemoveIsWrittenByOneWriter() {
        Path file = file("remove.csv", 2, block -> {
            String lines = links(block, block % 2 == 0 ? "PR" : "Q", 0);
            return block == 1 ? lines.replaceFirst("(?m)^link,.*$", "remove,W3998,,,,,") : lines;
        });
        assertSameOutcome(file, 0);
    }

    @Test
    void aChunkWithAnUnlinkNamingNoPeerIsWrittenByOneWriter() {
        Path file = file("unlink-no-peer.csv", 2, block -> {
            String lines = links(block, block % 2 == 0 ? "PR" : "Q", 0);
            return block == 0 ? lines.replaceFirst("(?m)^link,.*$", "unlink,W5,P,,,,") : lines;
        });
        assertSameOutcome(file, 0);
    }

    @Test
    void aChunkWhoseSecondHalfLinksAWidgetTheFirstAddsIsWrittenByOneWriter() {
        Path file = file("link-added.csv", 2, block -> {
            String lines = links(block, block % 2 == 0 ? "PR" : "Q", 0);
            return block == 0
                    ? "add,NEW-1,,,,new widget,PRQ\n" + lines.substring(lines.indexOf('\n') + 1)
                    : "link,NEW-1,Q,W3001,Q,,\n" + lines.substring(lines.indexOf('\n') + 1);
        });
        assertSameOutcome(file, 0);
    }

    @Test
    void aChunkWhoseHalvesShareAPortIsWrittenByOneWriter() {
        Path file = file("shared-port.csv", 2, block -> {
            String lines = links(block, block % 2 == 0 ? "PR" : "Q", 0);
            return block == 0 ? lines : "link,W2500,P,W2600,Q,,\n" + lines.substring(lines.indexOf('\n') + 1);
        });
        assertSameOutcome(file, 0);
    }

    @Test
    void whenTheFirstHalfFailsNothingOfTheSecondCommitsAndARestartEndsAsWithOneWriter() {
        // the first half of the second chunk has a line whose reject the database refuses: its part rolls back
        assertFailedHalfRestarts(4, 0, 1 + CHUNK);
    }

    @Test
    void whenTheSecondHalfFailsTheFirstStaysCommittedAndARestartEndsAsWithOneWriter() {
        assertFailedHalfRestarts(4, 1, 1 + CHUNK + HALF);
    }

    @Test
    void whenASecondHalfFailsBesideTheNextChunkARestartResumesAfterTheLinesThatCommitted() {
        // the step's context commits the second chunk's lines as read while its second half is still being written;
        // that half fails, the third chunk's first half gives way, and the restart resumes at the committed lines
        assertFailedHalfRestarts(6, 1, 1 + CHUNK + HALF);
    }

    @Test
    void aJobStoppedWhileASecondHalfIsWrittenKeepsItsCountsAndRestartsAsWithOneWriter() {
        Path file = file("stop.csv", 24, block -> links(block, block % 2 == 0 ? "PR" : "Q", 40));
        Outcome expected = outcome(oneWriter.getBean(RewiringJobs.class), file, -1);

        setUp();
        long id = jobs.submit(file, RewiringMode.APPLY);
        awaitRunning(id, CHUNK);
        assertThat(jobs.stop(id)).isTrue();
        RewiringJob stopped = awaitEnd(id);
        assertThat(stopped.status()).isEqualTo(RewiringStatus.STOPPED);
        long read = stopped.counts().read();
        assertThat(read).as("stopped before the end").isLessThan(24 * HALF);
        assertThat(read % HALF).as("whole halves committed, %d lines", read).isZero();
        assertThat(jdbc.queryForObject("SELECT last_line FROM rewiring_job_progress WHERE job_id = ?", Long.class, id))
                .as("the last committed line (the header is line 1)")
                .isEqualTo(read + 1);
        assertSound();

        assertThat(jobs.restart(id)).isEqualTo(id);
        RewiringJob done = awaitEnd(id);
        assertThat(done.status()).isEqualTo(RewiringStatus.COMPLETED);
        assertThat(finished(jobs, id)).isEqualTo(expected);
    }

    /**
     * Chunk 2's half {@code failing} (of a file of {@code blocks} halves) holds a line the database refuses to keep; the
     * job commits up to {@code kept}.
     */
    private void assertFailedHalfRestarts(int blocks, int failing, long kept) {
        Path file = file("fails.csv", blocks, block -> {
            String lines = links(block, block % 2 == 0 ? "PR" : "Q", 40);
            return block == 2 + failing ? "explode,W1,P,,,,\n" + lines.substring(lines.indexOf('\n') + 1) : lines;
        });
        Outcome expected = outcome(oneWriter.getBean(RewiringJobs.class), file, -1);

        setUp();
        jdbc.execute("ALTER TABLE rewiring_reject ADD CONSTRAINT explode CHECK (raw NOT LIKE 'explode%') NOT VALID");
        long id;
        try {
            id = jobs.submit(file, RewiringMode.APPLY);
            RewiringJob failed = awaitEnd(id);
            assertThat(failed.status()).isEqualTo(RewiringStatus.FAILED);
            assertThat(jdbc.queryForObject(
                            "SELECT last_line FROM rewiring_job_progress WHERE job_id = ?", Long.class, id))
                    .isEqualTo(kept);
            assertThat(db.count("SELECT count(*) FROM wiring_history WHERE job_id = ? AND line_number > ?", id, kept))
                    .as("nothing of the lines after the committed ones")
                    .isZero();
            assertThat(db.count("SELECT count(*) FROM rewiring_reject WHERE job_id = ? AND line_number > ?", id, kept))
                    .isZero();
            assertThat(db.count("SELECT count(*) FROM wiring_history WHERE job_id = ?", id))
                    .isPositive();
            assertSound();
        } finally {
            jdbc.execute("ALTER TABLE rewiring_reject DROP CONSTRAINT explode");
        }

        assertThat(jobs.restart(id)).isEqualTo(id);
        RewiringJob done = awaitEnd(id);
        assertThat(done.status()).isEqualTo(RewiringStatus.COMPLETED);
        assertThat(finished(jobs, id)).isEqualTo(expected);
    }

    @Test
    void apiWritesDuringATwoWriterJobKeepTheInvariants() throws Exception {
        setUp();
        Path file = file("busy.csv", 8, block -> links(block, block % 2 == 0 ? "PR" : "Q", 40));
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService threads = Executors.newFixedThreadPool(3);
        List<Future<Long>> api = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            api.add(threads.submit(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                Origin origin = Origin.request("api", "concurrent");
                long changes = 0;
                while (running.get()) {
                    // the file's widgets with the most lines per widget: the job's chunks keep meeting these changes
                    PortRef a = new PortRef("W" + random.nextInt(300), PortType.values()[random.nextInt(3)]);
                    PortRef b = new PortRef("W" + random.nextInt(300), PortType.values()[random.nextInt(3)]);
                    try {
                        changes += (random.nextBoolean() ? store.link(a, b, origin) : store.unlink(a, null, origin))
                                        .changed()
                                ? 1
                                : 0;
                    } catch (WiringException refused) {
                        // busy ports, self links: what API callers see too
                    }
                }
                return changes;
            }));
        }
        RewiringJob job;
        long changes = 0;
        try {
            job = run(file, RewiringMode.APPLY);
        } finally {
            running.set(false);
            for (Future<Long> f : api) {
                changes += f.get();
            }
            threads.shutdown();
        }
        assertThat(job.status()).isEqualTo(RewiringStatus.COMPLETED);
        assertThat(job.counts().read()).isEqualTo(8 * HALF);
        assertThat(changes).isPositive();
        assertSound();
    }

    /** Runs the file on identical data with one writer and with two, and compares what users see. */
    private void assertSameOutcome(Path file, long chunksByTwo) {
        Outcome one = outcome(oneWriter.getBean(RewiringJobs.class), file, -1);
        Outcome two = outcome(jobs, file, chunksByTwo);
        assertThat(two.report()).isEqualTo(one.report());
        assertThat(two.counts()).isEqualTo(one.counts());
        assertThat(two.wiring()).isEqualTo(one.wiring());
        assertThat(two.history()).isEqualTo(one.history());
        assertThat(one.counts().applied()).as("lines applied").isPositive();
        assertThat(one.counts().rejected()).as("lines rejected").isPositive();
    }

    /** What users see of the file applied by {@code service} to freshly set-up data. */
    private Outcome outcome(RewiringJobs service, Path file, long chunksByTwo) {
        setUp();
        long before = secondWriter.halvesWritten();
        long id = service.submit(file, RewiringMode.APPLY);
        RewiringJob job = await(service, id);
        assertThat(job.status()).isEqualTo(RewiringStatus.COMPLETED);
        if (chunksByTwo >= 0) {
            assertThat(secondWriter.halvesWritten() - before)
                    .as("chunks written by two writers")
                    .isEqualTo(chunksByTwo);
        }
        assertSound();
        return finished(service, id);
    }

    private Outcome finished(RewiringJobs service, long id) {
        StringWriter report = new StringWriter();
        service.rejects(id, report);
        List<String> history = jdbc.queryForList("""
                SELECT concat_ws('|', serial_number, event, port, peer_serial, peer_port, name, ports, actor,
                                 request_id, line_number)
                  FROM wiring_history WHERE job_id = ? ORDER BY 1
                """, String.class, id);
        return new Outcome(report.toString(), await(service, id).counts(), db.snapshot(), history);
    }

    record Outcome(String report, Counts counts, Map<String, String> wiring, List<String> history) {}

    private static RewiringJob await(RewiringJobs service, long id) {
        try {
            return service.await(id, Duration.ofMinutes(5));
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The same starting wiring for every run: widgets W0…W3999 (every tenth without a Q port), W0.P–W1.P, W2.P–W3.P …
     * linked up to W1999, written by the one-writer service.
     */
    private void setUp() {
        db.reset();
        jdbc.execute("TRUNCATE rewiring_reject");
        StringBuilder lines = new StringBuilder(HEADER);
        for (int i = 0; i < WIDGETS; i++) {
            lines.append("add,W").append(i).append(",,,,widget ").append(i).append(',');
            lines.append(i % 10 == 9 ? "PR" : "PRQ").append('\n');
        }
        for (int i = 0; i < 2000; i += 2) {
            lines.append("link,W").append(i).append(",P,W").append(i + 1).append(",P,,\n");
        }
        RewiringJobs service = oneWriter.getBean(RewiringJobs.class);
        RewiringJob setUp = await(service, service.submit(write("setup.csv", lines.toString()), RewiringMode.APPLY));
        assertThat(setUp.status()).isEqualTo(RewiringStatus.COMPLETED);
        assertThat(setUp.counts().applied()).isEqualTo(WIDGETS + 1000);
    }

    /** A file of {@code blocks} blocks of {@value #HALF} lines each (two per chunk). */
    private Path file(String name, int blocks, IntFunction<String> block) {
        StringBuilder lines = new StringBuilder(HEADER);
        for (int b = 0; b < blocks; b++) {
            String text = block.apply(b);
            assertThat(text.lines().count()).as("lines of block " + b).isEqualTo(HALF);
            lines.append(text);
        }
        return write(name, lines.toString());
    }

    private Path write(String name, String text) {
        try {
            return Files.writeString(dir.resolve(name), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Random links between the given ports of W0…W4199 (the last 200 do not exist), some unreadable lines, a self link,
     * and {@code unlinkPercent} unlinks naming a peer: mostly the peer of a link made earlier in the block, else a
     * wrong one.
     */
    private static String links(int block, String ports, int unlinkPercent) {
        Random random = new Random(block * 31L + ports.hashCode());
        StringBuilder lines = new StringBuilder();
        List<String[]> made = new ArrayList<>();
        for (int n = 0; n < HALF; n++) {
            String a = "W" + random.nextInt(WIDGETS + 200), b = "W" + random.nextInt(WIDGETS + 200);
            String pa = port(random, ports), pb = port(random, ports);
            int kind = random.nextInt(100);
            if (n == 7) {
                lines.append("link,")
                        .append(a)
                        .append(',')
                        .append(pa)
                        .append(',')
                        .append(a)
                        .append(',');
                lines.append(pb).append(",,\n");
            } else if (kind < 2) {
                lines.append("link,").append(a).append(",X,,,,\n");
            } else if (kind < 2 + unlinkPercent && !made.isEmpty()) {
                String[] link = made.get(random.nextInt(made.size()));
                String[] peer = random.nextInt(4) == 0 ? new String[] {b, pb} : new String[] {link[2], link[3]};
                lines.append("unlink,")
                        .append(link[0])
                        .append(',')
                        .append(link[1])
                        .append(',');
                lines.append(peer[0]).append(',').append(peer[1]).append(",,\n");
            } else {
                lines.append("link,").append(a).append(',').append(pa).append(',');
                lines.append(b).append(',').append(pb).append(",,\n");
                made.add(new String[] {a, pa, b, pb});
            }
        }
        return lines.toString();
    }

    private static String port(Random random, String ports) {
        return String.valueOf(ports.charAt(random.nextInt(ports.length())));
    }

    /**
     * Adds: new widgets (some twice, some again under another name), widgets set up already (some with other ports),
     * unreadable and invalid lines — block by block on serial numbers of their own.
     */
    private static String adds(int block) {
        Random random = new Random(block);
        StringBuilder lines = new StringBuilder();
        for (int n = 0; n < HALF; n++) {
            int kind = random.nextInt(100);
            if (kind < 60) {
                int i = random.nextInt(700);
                String name = random.nextInt(20) == 0 ? "renamed " + i : "new " + i;
                lines.append("add,N").append(block).append('-').append(i).append(",,,,");
                lines.append(name).append(",PRQ\n");
            } else if (kind < 90) {
                int i = 4 * random.nextInt(WIDGETS / 4) + block;
                lines.append("add,W").append(i).append(",,,,widget ").append(i).append(',');
                lines.append(random.nextInt(5) == 0 ? "P" : i % 10 == 9 ? "PR" : "PRQ")
                        .append('\n');
            } else if (kind < 95) {
                lines.append("add,N").append(block).append("-bad,,,,,PRQ\n");
            } else {
                lines.append("add,N").append(block).append("-x,,,,x,PZ\n");
            }
        }
        return lines.toString();
    }
}
