package com.widgets.api.rewiring;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.api.ApiTest;
import com.widgets.api.Fixtures;
import com.widgets.db.WiringEvent;
import com.widgets.db.WiringStore;
import com.widgets.db.testing.WiringDatabase;
import com.widgets.ingest.rewire.Counts;
import com.widgets.ingest.rewire.RewiringJob;
import com.widgets.ingest.rewire.RewiringJobs;
import com.widgets.ingest.rewire.RewiringMode;
import com.widgets.ingest.rewire.RewiringStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;

/** Uploading rewiring files over HTTP, end to end: the job runs, the wiring changes, the report and export download. */
@ApiTest
class RewiringRestTest {

    @Autowired
    RewiringJobs jobs;

    @Autowired
    WiringStore store;

    @Autowired
    JdbcTemplate jdbc;

    @LocalServerPort
    int port;

    @Value("${widgets.rewiring.upload-dir}")
    Path uploads;

    Uploads http;
    WiringDatabase db;

    @BeforeEach
    void emptyDatabase() {
        http = new Uploads(port);
        db = new WiringDatabase(jdbc);
        db.reset();
    }

    private RewiringJob finished(long id) throws InterruptedException {
        RewiringJob job = jobs.await(id, Duration.ofMinutes(2));
        assertThat(job.status()).as("job %s ended", id).isNotIn(RewiringStatus.RUNNING, RewiringStatus.PENDING);
        return job;
    }

    @Test
    void aMultipartUploadRunsTheFileAndReportsTheJob() throws Exception {
        byte[] sample = new ClassPathResource("samples/rewire.csv").getContentAsByteArray();

        HttpResponse<String> accepted = http.multipart("", "file", "rewire.csv", sample, "alice");

        assertThat(accepted.statusCode()).isEqualTo(202);
        long id = Uploads.id(accepted);
        assertThat(accepted.headers().firstValue("Location")).contains("/rewiring/jobs/" + id);
        RewiringJob job = finished(id);
        assertThat(job.status()).isEqualTo(RewiringStatus.COMPLETED);
        assertThat(job.mode()).isEqualTo(RewiringMode.APPLY);
        assertThat(job.counts()).isEqualTo(new Counts(9, 7, 1, 1));
        assertThat(db.snapshot())
                .containsEntry("RW-1.P", "Core switch -> RW-2.Q")
                .containsEntry("RW-1.R", "Core switch -> RW-3.P")
                .containsEntry("RW-2.P", "Edge router, rack 4 -> .")
                .containsEntry("RW-3.R", "Patch panel -> .")
                .hasSize(7);
        assertThat(db.invariantViolations()).isEmpty();
        assertThat(store.history("RW-1", null, 10))
                .extracting(WiringEvent::origin)
                .allSatisfy(origin -> {
                    assertThat(origin.actor()).isEqualTo("alice");
                    assertThat(origin.jobId()).isEqualTo(id);
                });

        HttpResponse<String> status = http.get("/rewiring/jobs/" + id);
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(status.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
        assertThat(status.body())
                .contains("\"id\":\"" + id + "\"")
                .contains("\"status\":\"COMPLETED\"")
                .contains("\"mode\":\"APPLY\"")
                .contains("\"fileName\":\"rewire.csv\"")
                .contains("\"counts\":{\"read\":9,\"applied\":7,\"unchanged\":1,\"rejected\":1}")
                .contains("\"totalLines\":9")
                .contains("\"rejectsUrl\":\"/rewiring/jobs/" + id + "/rejects\"");
        // the sample's one rejected line, which the README's tour shows
        assertThat(http.get("/rewiring/jobs/" + id + "/rejects").body())
                .contains("8,PORT_BUSY,Port RW-3.P is already linked to RW-1.R.,\"link,RW-3,P,RW-2,Q,,\"");
    }

    @Test
    void aRawBodyUploadInDryRunReportsItsRejectsAndChangesNothing() throws Exception {
        Fixtures.sampleWiring(jdbc, store);
        Map<String, String> before = db.snapshot();
        String file = """
                op,serial_number,port,peer_serial_number,peer_port,name,ports
                link,SN-4,P,SN-2,Q,,
                link,SN-4,P,SN-9,Q,,
                add,SN-5,,,,Five,PX
                unlink,SN-1,P,SN-2,Q,,
                """;

        // curl --data-binary labels the body a form; it must still arrive as the file
        HttpResponse<String> accepted =
                http.raw("?mode=dry-run&filename=" + "my%20changes.csv", file.getBytes(StandardCharsets.UTF_8));

        assertThat(accepted.statusCode()).isEqualTo(202);
        long id = Uploads.id(accepted);
        RewiringJob job = finished(id);
        assertThat(job.status()).isEqualTo(RewiringStatus.COMPLETED);
        assertThat(job.mode()).isEqualTo(RewiringMode.DRY_RUN);
        assertThat(job.fileName()).isEqualTo("my_changes.csv");
        assertThat(job.counts()).isEqualTo(new Counts(4, 1, 0, 3));
        assertThat(db.snapshot()).isEqualTo(before);

        HttpResponse<String> rejects = http.get("/rewiring/jobs/" + id + "/rejects");
        assertThat(rejects.statusCode()).isEqualTo(200);
        assertThat(rejects.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/csv");
        assertThat(rejects.headers().firstValue("Content-Disposition").orElseThrow())
                .startsWith("attachment");
        StringWriter expected = new StringWriter();
        jobs.rejects(id, expected);
        assertThat(rejects.body()).isEqualTo(expected.toString());
        assertThat(rejects.body().lines()).hasSize(4).first().isEqualTo("line,code,message,raw");
        assertThat(rejects.body().lines().skip(1))
                .extracting(line -> line.substring(0, line.indexOf(',', line.indexOf(',') + 1)))
                .containsExactly("2,PORT_BUSY", "3,WIDGET_NOT_FOUND", "4,MALFORMED_LINE");
        assertThat(rejects.body())
                .contains("2,PORT_BUSY,Port SN-2.Q is already linked to SN-1.P.,\"link,SN-4,P,SN-2,Q,,\"\n");
    }

    @Test
    void theExportImportedIntoAnEmptyDatabaseReproducesTheWiring() throws Exception {
        Fixtures.sampleWiring(jdbc, store);
        store.addWidget("SN-5", "Rack 5, \"top\"", java.util.Set.of(com.widgets.db.PortType.Q), origin());
        Map<String, String> before = db.snapshot();

        HttpResponse<String> export = http.get("/rewiring/export");

        assertThat(export.statusCode()).isEqualTo(200);
        assertThat(export.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/csv");
        assertThat(export.headers().firstValue("Content-Disposition").orElseThrow())
                .startsWith("attachment")
                .contains(".csv");
        assertThat(export.body().lines().toList())
                .first()
                .isEqualTo("op,serial_number,port,peer_serial_number,peer_port,name,ports");
        db.reset();

        HttpResponse<String> accepted =
                http.multipart("", "file", "export.csv", export.body().getBytes(StandardCharsets.UTF_8), "bob");
        RewiringJob job = finished(Uploads.id(accepted));

        assertThat(job.status()).isEqualTo(RewiringStatus.COMPLETED);
        assertThat(job.counts()).isEqualTo(new Counts(7, 7, 0, 0));
        assertThat(db.snapshot()).isEqualTo(before);
        assertThat(db.invariantViolations()).isEmpty();
    }

    @Test
    void uploadsAreNotHeldToTheGraphQlRequestLimit() throws Exception {
        StringBuilder file = new StringBuilder("op,serial_number\n");
        for (int i = 0; file.length() < 300 * 1024; i++) {
            file.append("remove,NOT-THERE-").append(i).append('\n');
        }
        HttpResponse<String> accepted =
                http.raw("?filename=big.csv", file.toString().getBytes(StandardCharsets.UTF_8));

        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        RewiringJob job = finished(Uploads.id(accepted));
        assertThat(job.status()).isEqualTo(RewiringStatus.COMPLETED);
        assertThat(job.counts().unchanged()).isEqualTo(job.counts().read()).isGreaterThan(10_000);
    }

    @Test
    void anUploadOverTheLimitIs413() throws Exception {
        byte[] big = ("op,serial_number\n" + "remove,X\n".repeat(170_000)).getBytes(StandardCharsets.UTF_8);
        assertThat(big.length).isGreaterThan(1024 * 1024).isLessThan(2 * 1024 * 1024);

        for (HttpResponse<String> refused : java.util.List.of(
                http.raw("?filename=big.csv", big),
                http.rawChunked("?filename=big.csv", big),
                http.multipart("", "file", "big.csv", big, "alice"),
                http.multipartChunked("big.csv", big))) {
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(413);
            assertThat(refused.body())
                    .contains("\"code\":\"LIMIT_EXCEEDED\"")
                    .contains("widgets.rewiring.max-upload-size");
        }
    }

    @Test
    void userMistakesAre400sNamingWhatWasWrong() throws Exception {
        byte[] file = "op,serial_number\nremove,X\n".getBytes(StandardCharsets.UTF_8);

        assertRefused(http.raw("?mode=fast&filename=a.csv", file), "mode", "'fast'");
        assertRefused(http.raw("", file), "filename", "required");
        assertRefused(http.raw("?filename=notes.txt", file), "filename", "notes.txt");
        assertRefused(http.multipart("", "document", "a.csv", file, "alice"), "file", "multipart field 'file'");
        assertRefused(http.multipart("?mode=sideways", "file", "a.csv", file, "alice"), "mode", "sideways");
        assertRefused(http.multipart("", "file", "a.exe", file, "alice"), "filename", "a.exe");
        assertRefused(http.brokenMultipart(), "file", "multipart");

        HttpResponse<String> unknown = http.get("/rewiring/jobs/999999999/rejects");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("\"code\":\"JOB_NOT_FOUND\"").contains("999999999");
        assertThat(http.get("/rewiring/jobs/nope").statusCode()).isEqualTo(404);
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void filesNoJobCouldReadAreRefusedAtTheDoorWith400NamingTheProblem(CapturedOutput log) throws Exception {
        byte[] csv = "op,serial_number,name,ports\nadd,D-1,Door,P\nadd,D-2,Door,Q\n".getBytes(StandardCharsets.UTF_8);
        byte[] gz = gzip(csv);
        byte[] badCrc = gz.clone();
        badCrc[badCrc.length - 8] ^= (byte) 0xff;
        byte[] utf16 = ("\ufeff" + new String(csv, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_16LE);
        byte[] latin1 = "op,serial_number,name,ports\nadd,D-1,Caf\u00e9,P\n".getBytes(StandardCharsets.ISO_8859_1);
        byte[] binary = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 1, 0
        };
        record Bad(String name, byte[] content, String code, String mentions) {}
        List<Bad> cases = List.of(
                new Bad("rewire.csv.gz", csv, "NOT_GZIP", "rewire.csv.gz is not gzip-compressed"),
                new Bad(
                        "rewire.csv.gz",
                        Arrays.copyOf(gz, gz.length / 2),
                        "TRUNCATED_GZIP",
                        "rewire.csv.gz is cut short"),
                new Bad("rewire.csv.gz", badCrc, "CORRUPT_GZIP", "rewire.csv.gz is damaged"),
                new Bad("rewire.csv", utf16, "NOT_UTF8", "rewire.csv is UTF-16, not UTF-8"),
                new Bad("rewire.csv", latin1, "NOT_UTF8", "Latin-1"),
                new Bad("rewire.csv", binary, "BINARY_FILE", "rewire.csv is not a text file"),
                new Bad("rewire.csv", gz, "BINARY_FILE", "rewire.csv is gzip-compressed"),
                new Bad(
                        "rewire.csv",
                        "op,serial_number,colour\nremove,A,red\n".getBytes(StandardCharsets.UTF_8),
                        "INVALID_HEADER",
                        "unknown column 'colour'"),
                new Bad(
                        "rewire.csv",
                        "op,serial_number\nremove,A\nlink,A\n".getBytes(StandardCharsets.UTF_8),
                        "INVALID_HEADER",
                        "no column port, which link lines need"),
                new Bad("rewire.csv", new byte[0], "EMPTY_FILE", "rewire.csv holds no record"),
                new Bad(
                        "rewire.csv",
                        "op,serial_number\n\n".getBytes(StandardCharsets.UTF_8),
                        "EMPTY_FILE",
                        "rewire.csv holds no record"),
                new Bad(
                        "rewire.ndjson",
                        "\n  \n\r\n\n".getBytes(StandardCharsets.UTF_8),
                        "EMPTY_FILE",
                        "rewire.ndjson holds no record"));
        int jobsBefore = jobCount();
        Set<Path> uploadsBefore = uploadDirs();

        for (Bad bad : cases) {
            for (HttpResponse<String> refused : List.of(
                    http.raw("?filename=" + bad.name(), bad.content()),
                    http.multipart("", "file", bad.name(), bad.content(), "alice"))) {
                assertThat(refused.statusCode())
                        .as(bad.code() + " " + refused.body())
                        .isEqualTo(400);
                assertThat(refused.body())
                        .as(bad.code())
                        .contains("\"code\":\"" + bad.code() + "\"")
                        .contains("\"field\":\"file\"")
                        .contains(bad.mentions())
                        .doesNotContain(uploads.toAbsolutePath().toString())
                        .doesNotContain("at com.");
            }
            assertThat(log.getOut()).contains("Refused the upload " + bad.name() + ": " + bad.code());
        }
        assertThat(jobCount()).as("no job started").isEqualTo(jobsBefore);
        assertThat(uploadDirs()).as("refused uploads deleted").isSubsetOf(uploadsBefore);
        assertThat(log.getOut()).doesNotContain("RefusedFile").doesNotContain("\tat ");
    }

    @Test
    void aLineThatCannotBeReadStaysInTheRejectReport() throws Exception {
        byte[] file = concat(
                "op,serial_number,name,ports\nadd,D-1,Snow \u2603,P\n".getBytes(StandardCharsets.UTF_8),
                "add,D-2,Caf\u00e9,P\n".getBytes(StandardCharsets.ISO_8859_1),
                "add,D-3,\"broken,P\n".getBytes(StandardCharsets.UTF_8));

        HttpResponse<String> accepted = http.raw("?filename=" + "lines.csv.gz", gzip(file));

        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        RewiringJob job = finished(Uploads.id(accepted));
        assertThat(job.status()).isEqualTo(RewiringStatus.COMPLETED);
        assertThat(job.counts()).isEqualTo(new Counts(3, 1, 0, 2));
        assertThat(http.get(RewiringRestController.rejectsPath(job.id())).body().lines())
                .extracting(l -> l.substring(0, l.indexOf(',', l.indexOf(',') + 1)))
                .containsExactly("line,code", "3,MALFORMED_LINE", "4,MALFORMED_LINE");
    }

    private int jobCount() {
        return jdbc.queryForObject("SELECT count(*) FROM batch_job_instance", Integer.class);
    }

    private Set<Path> uploadDirs() throws IOException {
        try (Stream<Path> dirs = Files.list(uploads)) {
            return dirs.collect(Collectors.toSet());
        }
    }

    private static byte[] gzip(byte[] content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(content);
        }
        return bytes.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            bytes.writeBytes(part);
        }
        return bytes.toByteArray();
    }

    private static void assertRefused(HttpResponse<String> response, String field, String mentions) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.body())
                .contains("\"code\":\"INVALID_INPUT\"")
                .contains("\"field\":\"" + field + "\"")
                .contains(mentions)
                .doesNotContain("at com.");
    }

    private static com.widgets.db.Origin origin() {
        return com.widgets.db.Origin.request("test", "test");
    }
}
