package com.widgets.api.rewiring;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.api.Fixtures;
import com.widgets.api.system.HttpSettings;
import com.widgets.ingest.rewire.RewiringJob;
import com.widgets.ingest.rewire.RewiringJobs;
import com.widgets.ingest.rewire.RewiringStatus;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Uploads and downloads run on transfer threads, not on the container's request threads: uploads whose clients send
 * slowly, more of them than there are request threads, leave the API answering, and still complete; past {@code
 * widgets.http.max-transfers} the next transfer is told {@code BUSY} at once, and the slots come back when the slow
 * clients go. A pool of {@value #REQUEST_THREADS} request threads, as docs/settings.md describes for JDK 17–20 (on
 * virtual threads the setting does nothing, and the first test shows only that the uploads complete).
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "server.tomcat.threads.max=" + TransfersTest.REQUEST_THREADS,
            "widgets.http.max-transfers=" + TransfersTest.TRANSFERS
        })
class TransfersTest {

    static final int REQUEST_THREADS = 4;
    static final int TRANSFERS = 8;

    private static final String HEADER = "op,serial_number,port,peer_serial_number,peer_port,name,ports\n";

    @LocalServerPort
    int port;

    @Autowired
    HttpSettings settings;

    @Autowired
    MeterRegistry registry;

    @Autowired
    RewiringJobs jobs;

    @Value("${widgets.rewiring.upload-dir}")
    Path uploads;

    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<SlowUpload> slow = new ArrayList<>();

    @AfterEach
    void closeSlowUploads() throws IOException {
        for (SlowUpload upload : slow) {
            upload.close();
        }
    }

    @Test
    void slowUploadsBeyondTheRequestThreadsLeaveTheApiAnsweringAndComplete() throws Exception {
        int count = REQUEST_THREADS + 2;
        long before = partialUploads();
        for (int i = 0; i < count; i++) {
            slow.add(new SlowUpload(port, "slow-" + i + ".csv", HEADER + "add,TT-" + i + ",,,,Sent slowly,PRQ\n"));
        }
        awaitPartialUploads(before + count);

        HttpResponse<String> answered = client.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/graphql"))
                        .timeout(Duration.ofSeconds(10))
                        .header("Authorization", Fixtures.BEARER)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"{ __typename }\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answered.statusCode())
                .as("a query while %d uploads wait for their bytes", count)
                .isEqualTo(200);
        assertThat(answered.body()).contains("\"__typename\":\"Query\"");

        for (SlowUpload upload : slow) {
            upload.finish();
        }
        for (SlowUpload upload : slow) {
            String response = upload.response();
            assertThat(response).as(upload.name).startsWith("HTTP/1.1 202");
            ended(Long.parseLong(response.replaceAll("(?s).*\"id\":\"(\\d+)\".*", "$1")));
        }
    }

    @Test
    void pastTheTransferLimitTheNextIsToldBusyAndTheSlotsComeBack() throws Exception {
        long before = partialUploads();
        for (int i = 0; i < settings.maxTransfers(); i++) {
            slow.add(new SlowUpload(port, "held-" + i + ".csv", HEADER + "add,TH-" + i + ",,,,Held,PRQ\n"));
        }
        awaitPartialUploads(before + settings.maxTransfers());
        assertThat(registry.get("widgets.transfers.active").gauge().value()).isEqualTo(TRANSFERS);
        double refusedBefore =
                registry.get("widgets.transfers.refused").functionCounter().count();
        Uploads http = new Uploads(port);
        byte[] file = (HEADER + "add,TB-1,,,,One more,PRQ\n").getBytes(StandardCharsets.UTF_8);

        for (HttpResponse<String> refused :
                List.of(http.raw("?filename=one-more.csv", file, "text/csv"), http.get("/rewiring/export"))) {
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).contains("1");
            assertThat(refused.headers().firstValue("Content-Disposition")).isEmpty();
            assertThat(refused.body())
                    .contains("\"code\":\"BUSY\"")
                    .contains("widgets.http.max-transfers")
                    .doesNotContain("\tat ");
        }

        assertThat(registry.get("widgets.transfers.refused").functionCounter().count() - refusedBefore)
                .isEqualTo(2);

        closeSlowUploads();
        slow.clear();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        HttpResponse<String> accepted = http.raw("?filename=one-more.csv", file, "text/csv");
        while (accepted.statusCode() == 503 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            accepted = http.raw("?filename=one-more.csv", file, "text/csv");
        }
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        ended(Uploads.id(accepted));
        awaitPartialUploads(before);
    }

    /**
     * Waits for a job an upload started to end, so that none runs when this test's context is closed (the context
     * cache holds four) and they become stopped runs in the shared database, which other tests list; a test of its own
     * for that moment is ExecutionUpdateRetryTest (ingest).
     */
    private void ended(long id) throws InterruptedException {
        RewiringJob job = jobs.await(id, Duration.ofMinutes(1));
        assertThat(job.status()).as("job %d", id).isEqualTo(RewiringStatus.COMPLETED);
    }

    private long partialUploads() throws IOException {
        Path root = uploads.resolve(".partial");
        if (!Files.isDirectory(root)) {
            return 0;
        }
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(Files::isRegularFile).count();
        }
    }

    /** Until the service holds exactly {@code expected} partial uploads (each slow one's first bytes on disk). */
    private void awaitPartialUploads(long expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (partialUploads() != expected) {
            assertThat(System.nanoTime())
                    .as("%d partial uploads, %d expected", partialUploads(), expected)
                    .isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** A raw-body upload over a socket of its own that sends its head and first line, then waits to be finished. */
    private static final class SlowUpload implements AutoCloseable {

        private final String name;
        private final Socket socket;
        private final byte[] rest;

        SlowUpload(int port, String name, String content) throws IOException {
            this.name = name;
            this.socket = new Socket("localhost", port);
            socket.setSoTimeout(20_000);
            byte[] body = content.getBytes(StandardCharsets.UTF_8);
            int first = HEADER.length();
            this.rest = java.util.Arrays.copyOfRange(body, first, body.length);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /rewiring/jobs?filename=" + name + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: "
                            + Fixtures.BEARER + "\r\nContent-Type: text/csv\r\nContent-Length: " + body.length
                            + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.write(body, 0, first);
            out.flush();
        }

        void finish() throws IOException {
            socket.getOutputStream().write(rest);
            socket.getOutputStream().flush();
        }

        String response() throws IOException {
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
