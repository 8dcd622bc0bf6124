package com.widgets.api.rewiring;

import java.io.BufferedWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Test client for the rewiring REST endpoints, over real HTTP. */
final class Uploads {

    private static final String BOUNDARY = "----widgets-test-boundary";

    private final HttpClient client = HttpClient.newHttpClient();
    private final int port;

    Uploads(int port) {
        this.port = port;
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", com.widgets.api.Fixtures.BEARER);
    }

    HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(request(path).GET());
    }

    /** The file as the multipart field {@code field}, named {@code fileName}. */
    HttpResponse<String> multipart(String query, String field, String fileName, byte[] content, String actor)
            throws IOException, InterruptedException {
        return send(request("/rewiring/jobs" + query)
                .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                .header("X-Actor", actor)
                .POST(HttpRequest.BodyPublishers.ofByteArray(multipartBody(field, fileName, content))));
    }

    /** A multipart upload without a declared length (chunked), so only the container's parser can tell its size. */
    HttpResponse<String> multipartChunked(String fileName, byte[] content) throws IOException, InterruptedException {
        byte[] body = multipartBody("file", fileName, content);
        return send(request("/rewiring/jobs")
                .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))));
    }

    /** A body that claims to be multipart but is not. */
    HttpResponse<String> brokenMultipart() throws IOException, InterruptedException {
        return send(request("/rewiring/jobs")
                .header("Content-Type", "multipart/form-data")
                .POST(HttpRequest.BodyPublishers.ofString("op,serial_number\nremove,X\n")));
    }

    static byte[] multipartBody(String field, String fileName, byte[] content) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\""
                        + fileName + "\"\r\nContent-Type: text/csv\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.write(content);
        body.write(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return body.toByteArray();
    }

    /** The file as the raw body, as {@code curl --data-binary @file -H 'Content-Type: application/octet-stream'}. */
    HttpResponse<String> raw(String query, byte[] content) throws IOException, InterruptedException {
        return raw(query, content, "application/octet-stream");
    }

    /** The file as the raw body labelled {@code contentType}. */
    HttpResponse<String> raw(String query, byte[] content, String contentType)
            throws IOException, InterruptedException {
        return send(request("/rewiring/jobs" + query)
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(content)));
    }

    /** The raw body without a declared length (chunked). */
    HttpResponse<String> rawChunked(String query, byte[] content) throws IOException, InterruptedException {
        return send(request("/rewiring/jobs" + query)
                .header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(content))));
    }

    /** The job id of a 202 answer's {@code {"id": "…"}}. */
    static long id(HttpResponse<String> accepted) {
        String body = accepted.body();
        int start = body.indexOf("\"id\":\"") + 6;
        return Long.parseLong(body.substring(start, body.indexOf('"', start)));
    }

    /**
     * A rewiring file of {@code lines} lines: 2,000 widgets added ({@code prefix} and a number, all three ports),
     * then links (7 in 10) and unlinks over random ports of them, from {@code seed}. Busy ports get rejected, so the
     * job's report has lines too.
     */
    static Path randomRewiring(Path file, String prefix, long seed, int lines) throws IOException {
        Random random = new Random(seed);
        String[] ports = {"P", "R", "Q"};
        int widgets = 2_000;
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("op,serial_number,port,peer_serial_number,peer_port,name,ports\n");
            for (int i = 0; i < widgets; i++) {
                out.write("add," + prefix + i + ",,,,widget " + i + ",PRQ\n");
            }
            for (int n = widgets; n < lines; n++) {
                String a = prefix + random.nextInt(widgets), b = prefix + random.nextInt(widgets);
                if (random.nextInt(10) < 7) {
                    out.write("link," + a + "," + ports[random.nextInt(3)] + "," + b + "," + ports[random.nextInt(3)]
                            + ",,\n");
                } else {
                    out.write("unlink," + a + "," + ports[random.nextInt(3)] + ",,,,\n");
                }
            }
        }
        return file;
    }
}
