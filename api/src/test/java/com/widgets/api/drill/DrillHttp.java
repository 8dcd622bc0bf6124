package com.widgets.api.drill;

import com.widgets.api.Fixtures;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A client of the drills' service over real HTTP that times each answer, and never waits more than a minute. */
final class DrillHttp {

    /** An answer and how long it took; status 0 when none came within the client's timeout. */
    record Answer(int status, String body, long millis, String requestId, String retryAfter) {

        private static final Pattern CODE = Pattern.compile("\"code\"\\s*:\\s*\"([A-Z_]+)\"");
        /** A Java class named in full: {@code org.postgresql.util.PSQLException}, {@code com.zaxxer.hikari.…}. */
        private static final Pattern JAVA_CLASS =
                Pattern.compile("\\b(org|com|java|javax|jakarta|graphql|tools|reactor)(\\.[a-z]\\w*)+\\.[A-Z]");

        /** The first error code in the body, or null. */
        String code() {
            Matcher code = CODE.matcher(body);
            return code.find() ? code.group(1) : null;
        }

        boolean hasErrors() {
            return body.contains("\"errors\"");
        }

        /** Whether the body shows anything of the server's insides: a stack trace, an exception, a driver. */
        boolean showsInsides() {
            return body.contains("\tat ")
                    || body.contains("Exception")
                    || JAVA_CLASS.matcher(body).find();
        }
    }

    static final Duration TIMEOUT = Duration.ofMinutes(1);

    private final HttpClient client;
    private final int port;

    DrillHttp(int port) {
        this.port = port;
        this.client = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(30))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(TIMEOUT)
                .header("Authorization", Fixtures.BEARER);
    }

    Answer graphQl(String document) {
        return send(request("/graphql")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\": " + quoted(document) + "}")));
    }

    Answer get(String path) {
        return send(request(path).GET());
    }

    Answer send(HttpRequest.Builder request) {
        long start = System.nanoTime();
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(
                    response.statusCode(),
                    response.body(),
                    (System.nanoTime() - start) / 1_000_000,
                    response.headers().firstValue("X-Request-Id").orElse(null),
                    response.headers().firstValue("Retry-After").orElse(null));
        } catch (HttpTimeoutException e) {
            return new Answer(0, "no answer within " + TIMEOUT, (System.nanoTime() - start) / 1_000_000, null, null);
        } catch (IOException e) {
            return new Answer(-1, e.toString(), (System.nanoTime() - start) / 1_000_000, null, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String quoted(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}
