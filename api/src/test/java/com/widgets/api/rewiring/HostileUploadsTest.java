package com.widgets.api.rewiring;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.api.ApiTest;
import com.widgets.db.testing.WiringDatabase;
import com.widgets.ingest.rewire.Counts;
import com.widgets.ingest.rewire.RewiringJob;
import com.widgets.ingest.rewire.RewiringJobs;
import com.widgets.ingest.rewire.RewiringStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Hostile rewiring files over HTTP: random bytes, a gzip bomb, 1 MB lines, invalid UTF-8, CSV injection, a header
 * only, an empty file, ten million blank lines. Each gets a clear outcome — refused at the door with its code and
 * nothing kept, or a job whose report names the bad lines — and the service stays healthy. The tests' settings cap a
 * {@code .gz} at 64 MB decompressed ({@code widgets.ingest.max-decompressed-size}).
 */
@ApiTest
@Tag("drill")
class HostileUploadsTest {

    private static final Logger log = LoggerFactory.getLogger(HostileUploadsTest.class);
    private static final String HEADER = "op,serial_number,port,peer_serial_number,peer_port,name,ports\n";

    @Autowired
    RewiringJobs jobs;

    @Autowired
    JdbcTemplate jdbc;

    @LocalServerPort
    int port;

    @Value("${widgets.rewiring.upload-dir}")
    Path uploads;

    Uploads http;
    WiringDatabase db;
    final List<String> figures = new ArrayList<>();

    @BeforeEach
    void emptyDatabase() {
        http = new Uploads(port);
        db = new WiringDatabase(jdbc);
        db.reset();
    }

    /** Uploads as a raw body and expects it refused at the door with {@code code}, keeping nothing; returns the time. */
    private long refused(String what, String fileName, byte[] content, String code) throws Exception {
        long kept = uploadsKept();
        long start = System.nanoTime();
        HttpResponse<String> response = http.raw("?filename=" + fileName, content);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(response.statusCode()).as("%s: %s", what, response.body()).isEqualTo(400);
        assertThat(response.body())
                .as(what)
                .contains("\"code\":\"" + code + "\"")
                .doesNotContain("\tat ");
        assertThat(response.body()).as("names the file by its name only").doesNotContain(uploads.toString());
        assertThat(uploadsKept())
                .as("%s leaves nothing in the upload directory", what)
                .isEqualTo(kept);
        figures.add(what + " (" + content.length + " bytes sent) -> 400 " + code + " in " + millis + " ms");
        return millis;
    }

    private long uploadsKept() throws IOException {
        if (!Files.isDirectory(uploads)) {
            return 0;
        }
        try (Stream<Path> dirs = Files.list(uploads)) {
            return dirs.count();
        }
    }

    /** Uploads as a raw body, expects it taken, and waits for its job to end. */
    private RewiringJob job(String what, String fileName, byte[] content) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> accepted = http.raw("?filename=" + fileName, content);
        assertThat(accepted.statusCode()).as("%s: %s", what, accepted.body()).isEqualTo(202);
        RewiringJob job = jobs.await(Uploads.id(accepted), Duration.ofMinutes(3));
        figures.add(what + " (" + content.length + " bytes sent) -> " + job.status() + " " + job.counts() + " in "
                + (System.nanoTime() - start) / 1_000_000 + " ms");
        return job;
    }

    private String report(long id) throws Exception {
        HttpResponse<String> report = http.get("/rewiring/jobs/" + id + "/rejects");
        assertThat(report.statusCode()).isEqualTo(200);
        return report.body();
    }

    private static byte[] gzip(byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(out)) {
            gz.write(content);
        }
        return out.toByteArray();
    }

    /**
     * {@code prefix}, {@code size} repetitions of one byte, then {@code suffix}, gzip-compressed as concatenated gzip
     * members (which gzip and Java read as one stream): a block of at most 64 MB is compressed once and repeated, so a
     * bomb costs the test next to nothing to make.
     */
    private static byte[] gzipOf(byte b, long size, byte[] prefix, byte[] suffix) throws IOException {
        int block = (int) Math.min(size, 64L << 20);
        byte[] bytes = new byte[block];
        java.util.Arrays.fill(bytes, b);
        byte[] member = gzip(bytes);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(gzip(prefix));
        for (long left = size; left > 0; left -= block) {
            out.write(member);
        }
        out.write(gzip(suffix));
        return out.toByteArray();
    }

    @Test
    void filesNoJobCouldReadAreRefusedAtTheDoorAndLeaveNothing() throws Exception {
        Random random = new Random(18);
        for (int i = 0; i < 3; i++) {
            byte[] noise = new byte[4096];
            random.nextBytes(noise);
            refused("random bytes #" + (i + 1), "noise.csv", noise, "BINARY_FILE");
        }
        // Under the tests' 1 MB upload limit a gzip bomb holds at most about 1 GB (deflate's ratio is ~1000:1).
        long zeros = refused(
                "a gzip bomb of 960 MB of zeros",
                "bomb.csv.gz",
                gzipOf((byte) 0, 960L << 20, new byte[0], new byte[0]),
                "DECOMPRESSED_TOO_LARGE");
        assertThat(zeros)
                .as("refused once 64 MB are decompressed, not all of it")
                .isLessThan(30_000);
        refused(
                "a gzip bomb of 960 MB of blank lines",
                "blank-bomb.csv.gz",
                gzipOf((byte) '\n', 960L << 20, HEADER.getBytes(StandardCharsets.UTF_8), new byte[0]),
                "DECOMPRESSED_TOO_LARGE");
        refused("an empty file", "empty.csv", new byte[0], "EMPTY_FILE");
        refused("a header only", "header.csv", HEADER.getBytes(StandardCharsets.UTF_8), "EMPTY_FILE");
        refused(
                "a header and 10,000,000 blank lines",
                "blank.csv.gz",
                gzipOf((byte) '\n', 10_000_000, HEADER.getBytes(StandardCharsets.UTF_8), new byte[0]),
                "EMPTY_FILE");
        byte[] gz = gzip((HEADER + "add,T-1,,,,t,P\n").getBytes(StandardCharsets.UTF_8));
        refused("a truncated gzip", "cut.csv.gz", java.util.Arrays.copyOf(gz, gz.length - 9), "TRUNCATED_GZIP");
        assertHealthy();
        log.info("Hostile uploads refused at the door: {}", figures);
    }

    @Test
    void badLinesInAReadableFileAreReportedAndTheRestApplied() throws Exception {
        // ten million blank lines around one record: skipped, counted in the line numbers
        RewiringJob blank = job(
                "one add after 10,000,000 blank lines",
                "sparse.csv.gz",
                gzipOf(
                        (byte) '\n',
                        10_000_000,
                        HEADER.getBytes(StandardCharsets.UTF_8),
                        "add,B-1,,,,blank,P\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(blank.status()).isEqualTo(RewiringStatus.COMPLETED);
        assertThat(blank.counts()).isEqualTo(new Counts(1, 1, 0, 0));

        // a 1 MB line: cut at 64 KB as it is read, rejected; the lines around it applied
        byte[] huge = (HEADER + "add,L-1,,,," + "x".repeat(1 << 20) + ",P\nadd,L-2,,,,fine,P\n")
                .getBytes(StandardCharsets.UTF_8);
        RewiringJob longLine = job("a 1 MB line", "long.csv.gz", gzip(huge));
        assertThat(longLine.status()).isEqualTo(RewiringStatus.COMPLETED);
        assertThat(longLine.counts()).isEqualTo(new Counts(2, 1, 0, 1));
        assertThat(report(longLine.id()).lines().skip(1).toList())
                .singleElement()
                .satisfies(row -> assertThat(row).startsWith("2,MALFORMED_LINE,Line 2 is longer than 65536 bytes"));

        // one line not UTF-8 in a UTF-8 file
        ByteArrayOutputStream mixed = new ByteArrayOutputStream();
        mixed.write((HEADER + "add,U-1,,,,Caf\u00e9,P\n").getBytes(StandardCharsets.UTF_8));
        mixed.write("add,U-2,,,,Caf\u00e9,P\n".getBytes(StandardCharsets.ISO_8859_1));
        mixed.write("add,U-3,,,,\u2603,Q\n".getBytes(StandardCharsets.UTF_8));
        RewiringJob utf8 = job("a line of Latin-1 in a UTF-8 file", "mixed.csv", mixed.toByteArray());
        assertThat(utf8.counts()).isEqualTo(new Counts(3, 2, 0, 1));
        assertThat(report(utf8.id())).contains("3,MALFORMED_LINE,Line 3 is not valid UTF-8.");

        // CSV injection: formulas come back with an apostrophe in the report and the export, and import unchanged
        String formulas = HEADER + "add,X-1,,,,=cmd|' /C calc'!A0,P\nadd,X-2,,,,@SUM(1+1),Q\nlink,X-1,P,X-2,Q,,\n"
                + "=HYPERLINK(\"http://evil\"),X-1,,,,,\nadd,X-1,,,,+other,P\n";
        RewiringJob injected = job("formulas in names and lines", "formulas.csv", formulas.getBytes());
        assertThat(injected.counts()).isEqualTo(new Counts(5, 3, 0, 2));
        String rejects = report(injected.id());
        assertThat(rejects.lines().skip(1).toList())
                .containsExactly(
                        "5,MALFORMED_LINE,Line 5 has a quote inside unquoted value 1.,"
                                + "\"'=HYPERLINK(\"\"http://evil\"\"),X-1,,,,,\"",
                        "6,WIDGET_EXISTS,Widget 'X-1' already exists with name '=cmd|' /C calc'!A0' and ports P.,"
                                + "\"add,X-1,,,,+other,P\"");
        HttpResponse<String> export = http.get("/rewiring/export");
        assertThat(export.body()).contains("add,X-1,,,,'=cmd|' /C calc'!A0,P", "add,X-2,,,,'@SUM(1+1),Q");
        var state = db.snapshot();
        db.reset();
        RewiringJob reimport =
                job("the export imported again", "export.csv", export.body().getBytes());
        assertThat(reimport.counts().rejected()).isZero();
        assertThat(db.snapshot()).isEqualTo(state);
        assertThat(state).containsEntry("X-1.P", "=cmd|' /C calc'!A0 -> X-2.Q");

        assertHealthy();
        log.info("Hostile uploads run as jobs: {}", figures);
    }

    private void assertHealthy() throws Exception {
        HttpResponse<String> health = http.get("/actuator/health");
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        RewiringJob after = job("a normal file afterwards", "fine.csv", (HEADER + "add,OK-1,,,,ok,P\n").getBytes());
        assertThat(after.status()).isEqualTo(RewiringStatus.COMPLETED);
        assertThat(after.counts().applied()).isEqualTo(1);
    }
}
