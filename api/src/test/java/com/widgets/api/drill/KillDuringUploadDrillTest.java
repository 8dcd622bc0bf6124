package com.widgets.api.drill;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.api.Fixtures;
import com.widgets.api.ServiceProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code kill -9} of the service in the middle of two slow, large uploads — one multipart, one a raw body — then a start
 * on the same data: no job, no file of either upload (partial or complete) anywhere in the upload directory, and a new
 * upload runs as always. The service as shipped, in a JVM of its own ({@link ServiceProcess}).
 */
@Tag("drill")
class KillDuringUploadDrillTest {

    private static final Logger log = LoggerFactory.getLogger(KillDuringUploadDrillTest.class);
    private static final String HEADER = "op,serial_number,port,peer_serial_number,peer_port,name,ports\n";
    private static final String BOUNDARY = "kill-drill";
    /** What each upload says it will send; it sends a few MB of it, then trickles until the kill. */
    private static final long DECLARED = 256L << 20;

    private static final long ON_DISK_AT_KILL = 2L << 20;

    @TempDir
    Path temp;

    private final List<ServiceProcess> services = new ArrayList<>();
    private final List<String> figures = new ArrayList<>();

    @Test
    void anUploadCutOffByKillNineLeavesNoJobAndNoFile() throws Exception {
        Path uploads = temp.resolve("uploads");
        long t0 = System.nanoTime();
        ServiceProcess first = start();
        figures.add("first start took " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        t0 = System.nanoTime();

        try (SlowUpload multipart = SlowUpload.multipart(first.port(), "cut.csv");
                SlowUpload raw = SlowUpload.raw(first.port(), "cut-raw.csv")) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            Map<String, Long> partial = partialFiles(uploads);
            while (!(partial.size() == 2 && partial.values().stream().allMatch(size -> size >= ON_DISK_AT_KILL))) {
                assertThat(System.nanoTime())
                        .as("both uploads on disk: %s", partial)
                        .isLessThan(deadline);
                multipart.send(256 << 10);
                raw.send(256 << 10);
                Thread.sleep(20);
                partial = partialFiles(uploads);
            }
            assertThat(partial.keySet())
                    .as("both arrive as partial uploads: the multipart part spooled by the container, the raw body")
                    .anySatisfy(file -> assertThat(file).matches(".*/upload_[^/]*\\.tmp"))
                    .anySatisfy(file -> assertThat(file).endsWith("/cut-raw.csv"))
                    .allSatisfy(file -> assertThat(file).startsWith(".partial/"));
            assertThat(completeUploads(uploads)).isEmpty();
            figures.add("uploads on disk after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            figures.add("on disk at the kill: " + partial + " (multipart " + multipart.sent + " and raw " + raw.sent
                    + " bytes sent of " + DECLARED + " declared)");
            first.kill();
        }

        long startedAt = System.nanoTime();
        ServiceProcess second = start();
        figures.add("restart took " + (System.nanoTime() - startedAt) / 1_000_000 + " ms");
        assertThat(second.output())
                .containsPattern("Deleted 2 partial upload file\\(s\\) left by processes that ended");
        assertThat(partialFiles(uploads)).as("no partial upload left").isEmpty();
        assertThat(completeUploads(uploads))
                .as("no upload taken for a complete one")
                .isEmpty();
        DrillHttp http = new DrillHttp(second.port());
        DrillHttp.Answer none = http.graphQl("{ rewiringJobs(first: 10) { edges { node { id } } } }");
        assertThat(none.body()).as("no job").contains("\"edges\":[]");

        StringBuilder file = new StringBuilder(HEADER);
        for (int i = 0; i < 2_000; i++) {
            file.append("add,U-").append(i).append(",,,,after the kill,PRQ\n");
        }
        DrillHttp.Answer accepted = http.send(http.request("/rewiring/jobs?filename=after.csv")
                .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                .POST(HttpRequest.BodyPublishers.ofString(
                        SlowUpload.head("after.csv") + file + "\r\n--" + BOUNDARY + "--\r\n")));
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        String id = accepted.body().replaceAll("\\D", "");
        DrillHttp.Answer job = http.get("/rewiring/jobs/" + id);
        for (long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
                job.body().matches(".*\"status\":\"(PENDING|RUNNING)\".*") && System.nanoTime() < end; ) {
            Thread.sleep(50);
            job = http.get("/rewiring/jobs/" + id);
        }
        assertThat(job.body()).contains("\"status\":\"COMPLETED\"").contains("\"applied\":2000");
        assertThat(completeUploads(uploads)).as("the new upload, in its place").hasSize(1);
        figures.add("a new upload: 202, job " + id + " COMPLETED, 2000 applied");

        t0 = System.nanoTime();
        second.terminate();
        figures.add("SIGTERM took " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        assertThat(Files.list(uploads.resolve(".partial")).toList())
                .as("a process that stopped gracefully takes its partial-upload directory with it")
                .isEmpty();
        log.info("Drill figures, kill -9 during uploads: {}", figures);
    }

    private ServiceProcess start() throws Exception {
        ServiceProcess service = ServiceProcess.start(
                temp,
                List.of(
                        "--widgets.embedded.data-dir=" + temp.resolve("postgres"),
                        "--widgets.embedded.durable=false",
                        "--widgets.rewiring.upload-dir=" + temp.resolve("uploads"),
                        "--widgets.security.admin-token=" + Fixtures.ADMIN_TOKEN));
        services.add(service);
        return service;
    }

    /** Every file under {@code .partial/} but the processes' locks, by path relative to the upload directory. */
    private static Map<String, Long> partialFiles(Path uploads) throws IOException {
        Path root = uploads.resolve(".partial");
        if (!Files.isDirectory(root)) {
            return Map.of();
        }
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(Files::isRegularFile)
                    .filter(file -> !file.getFileName().toString().equals(".lock"))
                    .collect(Collectors.toMap(
                            file -> uploads.relativize(file).toString(), KillDuringUploadDrillTest::size));
        }
    }

    /** Every file outside {@code .partial/}: complete uploads. */
    private static List<Path> completeUploads(Path uploads) throws IOException {
        try (Stream<Path> all = Files.walk(uploads)) {
            return all.filter(Files::isRegularFile)
                    .filter(file -> !uploads.relativize(file).startsWith(".partial"))
                    .toList();
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }

    @AfterEach
    void stopWhatIsLeft() throws IOException {
        services.forEach(ServiceProcess::close);
        // the killed service left its PostgreSQL running; the second one took it over and stopped it, or it is here
        Path pid = temp.resolve("postgres").resolve("postmaster.pid");
        if (Files.exists(pid)) {
            long postmaster = Long.parseLong(Files.readAllLines(pid).get(0).trim());
            ProcessHandle.of(postmaster).ifPresent(ProcessHandle::destroy);
        }
    }

    /** An upload over a socket of its own, sent a piece at a time: the server has what was sent, and waits for more. */
    private static final class SlowUpload implements AutoCloseable {

        private final Socket socket;
        private final OutputStream out;
        private final byte[] line;
        private long sent;

        private SlowUpload(int port, String path, String contentType, String head) throws IOException {
            this.socket = new Socket("localhost", port);
            this.out = socket.getOutputStream();
            this.line = "add,K-1,,,,a line of an upload cut off by kill -9,PRQ\n".getBytes(StandardCharsets.UTF_8);
            byte[] start = HEADER.getBytes(StandardCharsets.UTF_8);
            out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + Fixtures.BEARER
                            + "\r\nContent-Type: " + contentType + "\r\nContent-Length: " + DECLARED + "\r\n\r\n"
                            + head)
                    .getBytes(StandardCharsets.UTF_8));
            out.write(start);
            sent = head.length() + start.length;
        }

        static SlowUpload multipart(int port, String name) throws IOException {
            return new SlowUpload(port, "/rewiring/jobs", "multipart/form-data; boundary=" + BOUNDARY, head(name));
        }

        static SlowUpload raw(int port, String name) throws IOException {
            return new SlowUpload(port, "/rewiring/jobs?filename=" + name, "text/csv", "");
        }

        static String head(String name) {
            return "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name
                    + "\"\r\nContent-Type: text/csv\r\n\r\n";
        }

        void send(int bytes) throws IOException {
            for (int n = 0; n < bytes; n += line.length) {
                out.write(line);
                sent += line.length;
            }
            out.flush();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
