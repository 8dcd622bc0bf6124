package com.widgets.api.drill;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.db.Origin;
import com.widgets.db.PortType;
import com.widgets.db.WiringStore;
import com.widgets.db.testing.WiringDatabase;
import com.widgets.ingest.rewire.RewiringJob;
import com.widgets.ingest.rewire.RewiringJobs;
import com.widgets.ingest.rewire.RewiringStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Disk full, for real: a small tmpfs mounted over the running service's upload directory, and one holding the history
 * table (a tablespace), each filled to the last byte. Uploads are refused {@code 507 STORAGE_FULL} keeping nothing,
 * mutations {@code UNAVAILABLE} saying the database is out of disk and writing nothing; once space is freed both work
 * again, without a restart. Mounting needs root (as the CI runs); elsewhere the drill is skipped, saying so.
 */
@Drill
class DiskFullDrillTest {

    private static final Logger log = LoggerFactory.getLogger(DiskFullDrillTest.class);
    private static final String HEADER = "op,serial_number,port,peer_serial_number,peer_port,name,ports\n";

    @Autowired
    WiringStore store;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    RewiringJobs jobs;

    @Value("${widgets.rewiring.upload-dir}")
    Path uploadDir;

    @LocalServerPort
    int port;

    private final List<String> figures = new ArrayList<>();

    @Test
    void aFullUploadDiskRefusesUploadsCleanlyAndTheyWorkOnceSpaceIsBack() throws Exception {
        Path uploads = uploadDir.toAbsolutePath().normalize();
        Files.createDirectories(uploads);
        mountOrSkip(uploads, "1m");
        try {
            DrillHttp http = new DrillHttp(port);
            Path filler = fill(uploads);
            byte[] file = rewiringFile("D", 4_000);

            DrillHttp.Answer raw = http.send(http.request("/rewiring/jobs?filename=full.csv")
                    .header("Content-Type", "text/csv")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(file)));
            DrillHttp.Answer multipart = http.send(http.request("/rewiring/jobs")
                    .header("Content-Type", "multipart/form-data; boundary=drill")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(multipart("full.csv", file))));
            for (DrillHttp.Answer answer : List.of(raw, multipart)) {
                assertThat(answer.status()).as(answer.body()).isEqualTo(507);
                assertThat(answer.code()).isEqualTo("STORAGE_FULL");
                assertThat(answer.retryAfter()).isEqualTo("5");
                assertThat(answer.body()).contains("no room left").doesNotContain(uploads.toString());
                assertThat(answer.showsInsides()).isFalse();
                figures.add("upload on a full disk -> " + answer.status() + " " + answer.code() + " in "
                        + answer.millis() + " ms");
            }
            // the multipart upload's part was refused as the container spooled it, among the partial uploads (and
            // deleted: the container keeps a part it could not finish writing)
            try (Stream<Path> left = Files.walk(uploads)) {
                assertThat(left.filter(Files::isRegularFile).toList())
                        .as("nothing half-written beside the filler, partial uploads and the spool included")
                        .containsExactly(filler);
            }
            assertThat(http.get("/actuator/health").status()).isEqualTo(200);

            Files.delete(filler);
            DrillHttp.Answer again = http.send(http.request("/rewiring/jobs?filename=again.csv")
                    .header("Content-Type", "text/csv")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(file)));
            assertThat(again.status()).as(again.body()).isEqualTo(202);
            RewiringJob job = jobs.await(Long.parseLong(again.body().replaceAll("\\D", "")), Duration.ofMinutes(2));
            assertThat(job.status()).isEqualTo(RewiringStatus.COMPLETED);
            figures.add("space freed -> 202, job " + job.status() + " " + job.counts());
        } finally {
            unmount(uploads);
        }
        log.info("Drill figures, upload disk: {}", figures);
    }

    @Test
    void aFullDatabaseDiskRefusesWritesAsUnavailableAndTheyWorkOnceSpaceIsBack() throws Exception {
        WiringDatabase db = new WiringDatabase(jdbc);
        db.reset();
        Origin setup = Origin.request("drill", "setup");
        store.addWidget("F-1", "full 1", EnumSet.allOf(PortType.class), setup);
        store.addWidget("F-2", "full 2", EnumSet.allOf(PortType.class), setup);
        Path space =
                Files.createDirectories(Path.of("target", "drill-tablespace").toAbsolutePath());
        mountOrSkip(space, "8m");
        DrillHttp http = new DrillHttp(port);
        try {
            // the history, which every change appends to, emptied (so a change must grow it) onto a disk of its own
            jdbc.execute("TRUNCATE wiring_history");
            jdbc.execute("CREATE TABLESPACE drill_full LOCATION '" + space + "'");
            jdbc.execute("ALTER TABLE wiring_history SET TABLESPACE drill_full");
            Path filler = fill(space);
            long widgets = db.count("SELECT count(*) FROM widget");

            List<DrillHttp.Answer> refused = new ArrayList<>();
            refused.add(http.graphQl(
                    "mutation { link(input: {a: {serialNumber: \"F-1\", port: P}, b: {serialNumber: \"F-2\", port: Q}})"
                            + " { changed } }"));
            refused.add(http.graphQl(
                    "mutation { addWidget(input: {serialNumber: \"F-3\", name: \"full\", ports: [P]}) { changed } }"));
            refused.add(http.send(http.request("/widgets")
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"serial_number\": \"F-4\", \"name\": \"full\", \"ports\": [\"P\"]}"))));
            for (DrillHttp.Answer answer : refused) {
                assertThat(answer.code()).as(answer.body()).isEqualTo("UNAVAILABLE");
                assertThat(answer.body()).contains("no disk space left");
                assertThat(answer.showsInsides()).as(answer.body()).isFalse();
                figures.add(answer.status() + " " + answer.code() + " in " + answer.millis() + " ms");
            }
            assertThat(refused.get(2).status()).isEqualTo(503);
            assertThat(db.count("SELECT count(*) FROM widget"))
                    .as("no widget half-added")
                    .isEqualTo(widgets);
            assertThat(db.snapshot()).containsEntry("F-1.P", "full 1 -> .").containsEntry("F-2.Q", "full 2 -> .");
            assertThat(http.graphQl("{ widget(serialNumber: \"F-1\") { name } }")
                            .hasErrors())
                    .as("reads go on")
                    .isFalse();

            Files.delete(filler);
            DrillHttp.Answer linked = http.graphQl(
                    "mutation { link(input: {a: {serialNumber: \"F-1\", port: P}, b: {serialNumber: \"F-2\", port: Q}})"
                            + " { changed } }");
            assertThat(linked.body()).contains("\"changed\":true");
            figures.add("space freed -> link " + (linked.hasErrors() ? linked.code() : "changed"));
            assertThat(db.invariantViolations()).isEmpty();
            assertThat(db.count("SELECT count(*) FROM wiring_history"))
                    .as("the link's two rows, no more")
                    .isEqualTo(2);
        } finally {
            jdbc.execute("ALTER TABLE wiring_history SET TABLESPACE pg_default");
            jdbc.execute("DROP TABLESPACE IF EXISTS drill_full");
            unmount(space);
        }
        log.info("Drill figures, database disk: {}", figures);
    }

    /** Mounts a tmpfs of {@code size} on {@code dir}, or skips the drill when this process may not (not root). */
    private static void mountOrSkip(Path dir, String size) throws Exception {
        int exit = run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString());
        Assumptions.assumeTrue(
                exit == 0,
                "Disk-full drill skipped: mounting a small tmpfs (mount -t tmpfs) needs root, which this run has not");
    }

    private static void unmount(Path dir) throws Exception {
        if (run("umount", dir.toString()) != 0) {
            run("umount", "-l", dir.toString()); // busy: detach it now, gone once nothing uses it
        }
    }

    private static int run(String... command) throws Exception {
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return -1;
        }
        return process.exitValue();
    }

    /** Writes a file into {@code dir} until its disk has no byte left; returns the file. */
    private static Path fill(Path dir) throws IOException {
        Path filler = dir.resolve("filler");
        byte[] block = new byte[4096];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            assertThat(full.getMessage()).contains("No space left");
        }
        return filler;
    }

    private static byte[] rewiringFile(String prefix, int widgets) {
        StringBuilder file = new StringBuilder(HEADER);
        for (int i = 0; i < widgets; i++) {
            file.append("add,").append(prefix).append('-').append(i).append(",,,,disk full drill,PRQ\n");
        }
        return file.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] multipart(String name, byte[] content) {
        byte[] head = ("--drill\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name
                        + "\"\r\nContent-Type: text/csv\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] tail = "\r\n--drill--\r\n".getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[head.length + content.length + tail.length];
        System.arraycopy(head, 0, body, 0, head.length);
        System.arraycopy(content, 0, body, head.length, content.length);
        System.arraycopy(tail, 0, body, head.length + content.length, tail.length);
        return body;
    }
}
