package com.widgets.api.start;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code java -XX:ArchiveClassesAtExit=… -jar widgets-api.jar cds-training --widgets.embedded.data-dir=DIR}: the
 * build's training run for the class data sharing archive the README's run command uses. Starts the service on a
 * fresh embedded database in {@code DIR}, sends it the requests a first visitor sends (GraphQL over HTTP: a read, the
 * writes of the README's tour, the console's page), stops it cleanly — the database too — and exits, so the JVM writes
 * every class it loaded into the archive. A start from that archive skips loading and verifying them again: about half
 * of a cold start (docs/running.md). Exits 0 when every request was answered as expected, 1 otherwise, 2 when
 * {@code DIR} is missing or not empty (it never writes into a database someone uses).
 */
public final class StartTraining {

    private static final Logger log = LoggerFactory.getLogger(StartTraining.class);
    private static final String DATA_DIR = "--widgets.embedded.data-dir=";
    private static final JsonMapper json = JsonMapper.builder().build();

    private StartTraining() {}

    /** Runs the training start for {@code application} with {@code args} (after {@code cds-training}). */
    public static int run(Class<?> application, String... args) {
        Path dataDir = Stream.of(args)
                .filter(arg -> arg.startsWith(DATA_DIR))
                .map(arg -> Path.of(arg.substring(DATA_DIR.length())))
                .findFirst()
                .orElse(null);
        if (dataDir == null || !isEmpty(dataDir)) {
            System.err.println("cds-training needs " + DATA_DIR + "DIR naming an empty or missing directory; got "
                    + (dataDir == null ? "none" : dataDir + " (not empty)"));
            return 2;
        }
        String token = "training-" + UUID.randomUUID();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--server.port=0", "--widgets.security.admin-token=" + token));
        ConfigurableApplicationContext context = SpringApplication.run(application, all.toArray(String[]::new));
        int code;
        try {
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            code = firstVisit("http://localhost:" + port, token) ? 0 : 1;
        } catch (IOException e) {
            log.error("Training requests failed: {}", e.toString());
            code = 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            code = 1;
        }
        int exit = SpringApplication.exit(context);
        awaitIdleCompilers(Duration.ofSeconds(60));
        return code != 0 ? code : exit;
    }

    /**
     * Waits (at most {@code limit}) until no method is being compiled or waits to be, so the JVM writes the archive
     * as it exits with the JIT compilers idle. On Java 17-20 a method queued or being compiled while the archive is
     * written keeps that mark in it, and every JVM started from the archive then leaves the method interpreted for
     * good (JDK-8306460, fixed in 21): one build's archive left {@code ServletRequestWrapper.getAttribute}, called some
     * fifty times a request, interpreted, ~7 % of the service's CPU (bench/PROFILE.md). Reads HotSpot's {@code
     * Compiler.queue} diagnostic command; a JVM without it is not waited for. True when the compilers were idle.
     */
    static boolean awaitIdleCompilers(Duration limit) {
        long start = System.nanoTime(), deadline = start + limit.toNanos();
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName commands = new ObjectName("com.sun.management:type=DiagnosticCommand");
            while (true) {
                String queue = (String) server.invoke(
                        commands, "compilerQueue", new Object[] {new String[0]}, new String[] {String[].class.getName()
                        });
                long pending = queue.lines().filter(line -> line.contains("::")).count();
                if (pending == 0) {
                    log.info(
                            "Training: the JIT compilers are idle ({} ms waited)",
                            (System.nanoTime() - start) / 1_000_000);
                    return true;
                }
                if (System.nanoTime() > deadline) {
                    log.warn(
                            "Training: {} methods still queued for compilation after {}; the archive may leave them"
                                    + " interpreted on Java 17-20",
                            pending,
                            limit);
                    return false;
                }
                Thread.sleep(50);
            }
        } catch (JMException | RuntimeException e) {
            log.debug("Training: cannot read the compiler queue ({}); not waiting for it", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /** What a first visitor does; true when every answer was a 200 without GraphQL errors. */
    private static boolean firstVisit(String base, String token) throws IOException, InterruptedException {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        boolean ok = graphQl(http, base, null, "{ __typename }");
        ok &= graphQl(http, base, token, """
                mutation { addWidget(input: {serialNumber: "TRAIN-1", name: "Training", ports: [P, R]}) { changed } }""");
        ok &= graphQl(http, base, token, """
                mutation { addWidget(input: {serialNumber: "TRAIN-2", name: "Training", ports: [P, Q]}) { changed } }""");
        ok &= graphQl(http, base, token, """
                mutation { link(input: {a: {serialNumber: "TRAIN-1", port: P}, b: {serialNumber: "TRAIN-2", port: Q}})
                  { changed } }""");
        ok &= graphQl(http, base, token, """
                { widget(serialNumber: "TRAIN-1") { serialNumber name ports { type linkedAt peer { serialNumber port } } } }""");
        ok &= graphQl(http, base, token, """
                mutation { unlink(input: {end: {serialNumber: "TRAIN-1", port: P}}) { changed } }""");
        HttpResponse<String> page = http.send(
                HttpRequest.newBuilder(URI.create(base + "/")).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (page.statusCode() != 200) {
            log.error("Training: GET / answered {}", page.statusCode());
            ok = false;
        }
        return ok;
    }

    private static boolean graphQl(HttpClient http, String base, String token, String document)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/graphql"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(Map.of("query", document))));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200 || json.readTree(answer.body()).has("errors")) {
            log.error("Training: {} answered {} {}", document, answer.statusCode(), answer.body());
            return false;
        }
        return true;
    }

    private static boolean isEmpty(Path dir) {
        if (!Files.exists(dir)) {
            return true;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }
}
