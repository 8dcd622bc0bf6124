package com.widgets.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.db.ChunkAssumptions;
import com.widgets.db.WiringStore;
import com.widgets.ingest.rewire.Counts;
import com.widgets.ingest.rewire.RewiringJob;
import com.widgets.ingest.rewire.RewiringMode;
import com.widgets.ingest.rewire.RewiringStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

class RewiringJobTest extends JobTestSupport {

    private static final Counts EVERY_CODE_COUNTS = new Counts(24, 6, 3, 15);

    @TempDir
    Path temp;

    @Autowired
    WiringStore store;

    @Test
    void aFileWithEveryErrorCodeGivesTheExactReportLineByLine() {
        RewiringJob job = run(resource("every-code.csv"), RewiringMode.APPLY);

        assertThat(job.status()).isEqualTo(RewiringStatus.COMPLETED);
        assertThat(job.counts()).isEqualTo(EVERY_CODE_COUNTS);
        assertThat(job.totalLines()).isEqualTo(24);
        assertThat(job.fileName()).isEqualTo("every-code.csv");
        assertThat(report(job.id()).lines()).containsExactlyElementsOf(lines(resource("every-code.rejects.csv")));
        assertThat(report(job.id()).lines())
                .extracting(l -> l.split(",")[1])
                .contains(
                        "MALFORMED_LINE",
                        "INVALID_INPUT",
                        "WIDGET_NOT_FOUND",
                        "WIDGET_EXISTS",
                        "PORT_NOT_ON_WIDGET",
                        "SELF_LINK",
                        "PORT_BUSY",
                        "NOT_LINKED_TO");
        assertThat(db.snapshot())
                .containsEntry("A.P", "Widget A -> B.Q")
                .containsEntry("A.R", "Widget A -> B.P")
                .containsEntry("C.R", "Widget C, the \"third\" -> .")
                .containsEntry("S.Q", "Widget ☃ -> .")
                .hasSize(7);
        assertSound();
    }

    @Test
    void historyRowsCarryTheJobIdAndTheFileLine() {
        RewiringJob job = run(resource("every-code.csv"), RewiringMode.APPLY);

        List<Map<String, Object>> rows = jdbc.queryForList(
                "SELECT serial_number, event FROM wiring_history WHERE job_id = ? AND line_number = 8 ORDER BY id",
                job.id());
        assertThat(rows)
                .extracting(r -> r.get("serial_number") + " " + r.get("event"))
                .containsExactly("A LINKED", "B LINKED");
        assertThat(db.count("SELECT count(*) FROM wiring_history WHERE job_id IS DISTINCT FROM ?", job.id()))
                .isZero();
    }

    @Test
    void gzipCompressedFilesReadTheSame() throws IOException {
        Path gz = temp.resolve("every-code.csv.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(Files.readAllBytes(resource("every-code.csv")));
        }

        RewiringJob job = run(gz, RewiringMode.APPLY);

        assertThat(job.counts()).isEqualTo(EVERY_CODE_COUNTS);
        assertThat(report(job.id()).lines()).containsExactlyElementsOf(lines(resource("every-code.rejects.csv")));
    }

    @Test
    void ndjsonRecordsAreNumberedFromOne() {
        RewiringJob job = run(resource("rules/records.ndjson"), RewiringMode.APPLY);

        assertThat(job.status()).isEqualTo(RewiringStatus.COMPLETED);
        assertThat(job.counts()).isEqualTo(new Counts(8, 4, 0, 4));
        assertThat(report(job.id()).lines())
                .extracting(l -> l.substring(0, l.indexOf(',', l.indexOf(',') + 1)))
                .containsExactly(
                        "line,code", "5,PORT_BUSY", "6,MALFORMED_LINE", "7,MALFORMED_LINE", "8,MALFORMED_LINE");
        assertThat(report(job.id())).contains("unknown field 'colour'");
        assertThat(db.snapshot()).containsEntry("A.P", "Widget A -> .").containsEntry("B.P", "Widget B -> .");
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void aFileNoJobCouldReadFailsTheJobWithItsCodeInOneLogLineNamingTheFileOnly(CapturedOutput log) throws IOException {
        byte[] csv = Files.readAllBytes(resource("every-code.csv"));
        java.io.ByteArrayOutputStream gzipped = new java.io.ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(gzipped)) {
            out.write(csv);
        }
        Path cut = Files.write(temp.resolve("cut.csv.gz"), Arrays.copyOf(gzipped.toByteArray(), gzipped.size() / 2));
        Path plain = Files.write(temp.resolve("plain.csv.gz"), csv);
        Path blank = Files.writeString(temp.resolve("blank.csv"), "\n\n   \n\n");
        Path header = Files.writeString(temp.resolve("header.csv"), "op,serial_number,colour\nremove,A,red\n");

        Map<Path, String> codes =
                Map.of(cut, "TRUNCATED_GZIP", plain, "NOT_GZIP", blank, "EMPTY_FILE", header, "INVALID_HEADER");
        codes.forEach((file, code) -> {
            RewiringJob job = run(file, RewiringMode.APPLY);
            String name = file.getFileName().toString();

            assertThat(job.status()).as(name).isEqualTo(RewiringStatus.FAILED);
            assertThat(job.message()).as(name).isNotBlank().doesNotContain(temp.toString());
            if (!code.equals("INVALID_HEADER")) { // the header's sentence is the one a job always gave
                assertThat(job.message()).as(name).startsWith(name + " ");
            }
            assertThat(report(job.id()).lines().toList().get(1))
                    .as(name)
                    .startsWith("1," + code + ",")
                    .doesNotContain(temp.toString());
            assertThat(log.getOut()).contains("refused " + name + ": " + code);
        });
        assertThat(db.count("SELECT count(*) FROM widget")).isZero();
        assertThat(log.getOut()).doesNotContain("Encountered an error").doesNotContain("\tat ");
    }

    @Test
    void aHeaderWithAnUnknownColumnRejectsTheWholeFile() {
        RewiringJob job = run(resource("rules/unknown-column.csv"), RewiringMode.APPLY);

        assertThat(job.status()).isEqualTo(RewiringStatus.FAILED);
        assertThat(job.message())
                .contains("unknown column 'colour'")
                .contains("op, serial_number, port, peer_serial_number, peer_port, name, ports");
        assertThat(report(job.id())).contains("1,INVALID_HEADER,");
        assertThat(db.count("SELECT count(*) FROM widget")).isZero();
    }

    @Test
    void aHeaderWithoutAColumnItsOpsNeedRejectsTheWholeFile() {
        RewiringJob job = run(resource("rules/missing-column.csv"), RewiringMode.APPLY);

        assertThat(job.status()).isEqualTo(RewiringStatus.FAILED);
        assertThat(job.message()).contains("no column peer_port, which link lines need");
        assertThat(db.count("SELECT count(*) FROM widget")).isZero();
    }

    @Test
    void unusedColumnsMayBeLeftOutAndRemovingAMissingWidgetIsUnchanged() {
        jdbc.update("INSERT INTO widget (serial_number, name) VALUES ('A', 'a')");
        jdbc.update("INSERT INTO port (serial_number, port) VALUES ('A', 'P')");

        RewiringJob job = run(resource("rules/unused-columns-left-out.csv"), RewiringMode.APPLY);

        assertThat(job.counts()).isEqualTo(new Counts(2, 1, 1, 0));
        assertThat(db.count("SELECT count(*) FROM widget")).isZero();
    }

    @Test
    void laterLinesSeeTheEffectsOfEarlierOnes() {
        RewiringJob job = run(resource("rules/later-lines-see-earlier.csv"), RewiringMode.APPLY);

        assertThat(job.counts()).isEqualTo(new Counts(11, 10, 0, 1));
        assertThat(report(job.id())).contains("12,PORT_BUSY,Port B.P is already linked to A.R.");
        assertThat(db.snapshot())
                .containsEntry("A.P", "Widget A -> C.Q")
                .containsEntry("A.R", "Widget A -> B.P")
                .containsEntry("C.Q", "Widget C again -> A.P");
        assertSound();
    }

    @Test
    void linksIntoFreePortsAreWrittenUnreadAndABusyPortAmongThemIsStillReportedExactly() throws IOException {
        StringBuilder csv = new StringBuilder("op,serial_number,port,peer_serial_number,peer_port,name,ports\n");
        for (int i = 1;
                i <= 12;
                i++) { // lines 2-13 (the header is line 1): three chunks of adds (chunks are 4 lines in these tests)
            csv.append("add,W").append(i).append(",,,,w").append(i).append(",PRQ\n");
        }
        csv.append("link,W1,P,W2,P,,\nlink,W3,P,W4,P,,\nlink,W5,P,W6,P,,\nlink,W7,P,W8,P,,\n"); // free: unread
        csv.append("link,W1,R,W2,R,,\nlink,W3,R,W4,R,,\nlink,W1,P,W9,P,,\nlink,W5,R,W6,R,,\n"); // line 20 busy
        csv.append("link,W1,Q,W2,Q,,\nlink,W3,Q,W4,Q,,\nlink,W5,Q,W6,Q,,\nlink,W7,Q,W8,Q,,\n"); // read after a miss
        csv.append("link,W9,R,W10,R,,\nlink,W11,R,W12,R,,\nlink,W9,Q,W10,Q,,\nlink,W11,Q,W12,Q,,\n"); // unread
        Path file = Files.writeString(temp.resolve("free-ports.csv"), csv);
        ChunkAssumptions.assumeNext(store);
        long held = store.unreadLinkChunks(true), missed = store.unreadLinkChunks(false);

        RewiringJob job = run(file, RewiringMode.APPLY);

        assertThat(job.counts()).isEqualTo(new Counts(28, 27, 0, 1));
        assertThat(report(job.id()))
                .isEqualTo("line,code,message,raw\n"
                        + "20,PORT_BUSY,Port W1.P is already linked to W2.P.,\"link,W1,P,W9,P,,\"\n");
        assertThat(store.unreadLinkChunks(true) - held)
                .as("chunks written unread")
                .isEqualTo(2);
        assertThat(store.unreadLinkChunks(false) - missed)
                .as("chunks read after all")
                .isEqualTo(1);
        assertThat(db.snapshot())
                .containsEntry("W1.P", "w1 -> W2.P")
                .containsEntry("W5.R", "w5 -> W6.R")
                .containsEntry("W12.Q", "w12 -> W11.Q");
        assertThat(db.count("SELECT count(*) FROM wiring_history WHERE event = 'LINKED'"))
                .isEqualTo(2 * 15);
        assertSound();
    }

    @Test
    void csvValuesFollowRfc4180Quoting() {
        RewiringJob job = run(resource("rules/rfc4180-quoting.csv"), RewiringMode.APPLY);

        assertThat(job.counts()).isEqualTo(new Counts(3, 1, 0, 2));
        assertThat(db.snapshot()).containsEntry("A.P", "Widget A, \"the first\" -> .");
        assertThat(report(job.id()).lines())
                .containsExactly(
                        "line,code,message,raw",
                        "3,MALFORMED_LINE,\"Line 3 has no name, which add needs.\",\"\"\"add\"\",\"\"B\"\",\"\"\"\",P\"",
                        "4,MALFORMED_LINE,Line 4 has a quote inside unquoted value 3.,\"add,C,Widget \"\"C\"\",P\"");
    }

    @Test
    void applyingATargetStateAgainChangesNothingAndRejectsNothing() {
        RewiringJob first = run(resource("rules/target-state.csv"), RewiringMode.APPLY);
        long history = db.count("SELECT count(*) FROM wiring_history");

        RewiringJob second = run(resource("rules/target-state.csv"), RewiringMode.APPLY);

        assertThat(first.counts()).isEqualTo(new Counts(5, 5, 0, 0));
        assertThat(second.counts()).isEqualTo(new Counts(5, 0, 5, 0));
        assertThat(second.id()).isNotEqualTo(first.id());
        assertThat(db.count("SELECT count(*) FROM wiring_history")).isEqualTo(history);
    }

    @Test
    void aDryRunReportsExactlyWhatApplyWouldAndChangesNothing() {
        run(resource("rules/target-state.csv"), RewiringMode.APPLY);
        Map<String, String> before = db.snapshot();
        long history = db.count("SELECT count(*) FROM wiring_history");

        RewiringJob dry = run(resource("every-code.csv"), RewiringMode.DRY_RUN);

        assertThat(dry.status()).isEqualTo(RewiringStatus.COMPLETED);
        assertThat(db.snapshot()).isEqualTo(before);
        assertThat(db.count("SELECT count(*) FROM wiring_history")).isEqualTo(history);
        RewiringJob applied = run(resource("every-code.csv"), RewiringMode.APPLY);
        assertThat(dry.counts()).isEqualTo(applied.counts());
        assertThat(report(dry.id())).isEqualTo(report(applied.id()));
        assertThat(dry.mode()).isEqualTo(RewiringMode.DRY_RUN);
    }

    @Test
    void atomicAppliesNothingWhenALineIsRejected() {
        RewiringJob job = run(resource("every-code.csv"), RewiringMode.ATOMIC);

        assertThat(job.status()).isEqualTo(RewiringStatus.FAILED);
        assertThat(job.message()).contains("15 of 24 lines were rejected, so nothing was applied");
        assertThat(job.counts()).isEqualTo(EVERY_CODE_COUNTS);
        assertThat(report(job.id()).lines()).containsExactlyElementsOf(lines(resource("every-code.rejects.csv")));
        assertThat(db.count("SELECT count(*) FROM widget")).isZero();
        assertThat(db.count("SELECT count(*) FROM wiring_history")).isZero();
    }

    @Test
    void atomicAppliesEverythingWhenNoLineIsRejected() {
        RewiringJob job = run(resource("rules/target-state.csv"), RewiringMode.ATOMIC);

        assertThat(job.status()).isEqualTo(RewiringStatus.COMPLETED);
        assertThat(job.counts()).isEqualTo(new Counts(5, 5, 0, 0));
        assertThat(db.snapshot()).containsEntry("C.R", "Widget C -> A.Q");
        assertSound();
    }

    @Test
    void listsJobsNewestFirst() {
        RewiringJob first = run(resource("rules/target-state.csv"), RewiringMode.APPLY);
        RewiringJob second = run(resource("rules/target-state.csv"), RewiringMode.DRY_RUN);

        assertThat(jobs.list(2)).extracting(RewiringJob::id).containsExactly(second.id(), first.id());
        assertThat(second.opsPerSecond()).isPositive();
        assertThat(second.startedAt()).isBeforeOrEqualTo(second.endedAt());
    }
}
