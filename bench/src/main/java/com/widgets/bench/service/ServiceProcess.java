package com.widgets.bench.service;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The packaged service started as users start it (the README's command: {@code java -jar} on the extracted jar, with
 * the class data sharing archive the build trained next to it), on its embedded PostgreSQL (fsync on) or on an
 * existing database given by a JDBC URL.
 */
public final class ServiceProcess implements AutoCloseable {

    private final Process process;
    private final int httpPort;
    private final String jdbcUrl;
    private final double secondsToFirstAnswer;
    /** The embedded database's data directory; null on an external database. */
    private final Path dataDir;

    private ServiceProcess(Process process, int httpPort, String jdbcUrl, double secondsToFirstAnswer, Path dataDir) {
        this.process = process;
        this.httpPort = httpPort;
        this.jdbcUrl = jdbcUrl;
        this.secondsToFirstAnswer = secondsToFirstAnswer;
        this.dataDir = dataDir;
    }

    private static final AtomicInteger STARTS = new AtomicInteger();

    /** The admin token every service this run starts is given; the harness's clients sign in with it. */
    public static final String ADMIN_TOKEN = "bench-" + java.util.UUID.randomUUID();

    /** The JVM options and jar of a start, as a user would type them, e.g. for a report's setup line. */
    public static String shown(Path jar, String heap) {
        return "java " + heapShown(heap)
                + archiveOption(jar).map(option -> " " + option).orElse("") + " -jar " + jar;
    }

    /** The service's heap options: the README's floor, and the limit the goals' heap figure is held to. */
    public static List<String> heapOptions(String heap) {
        return List.of("-Xms" + heap, "-Xmx" + heap);
    }

    /** {@link #heapOptions} as a report shows them, e.g. {@code -Xms512m -Xmx512m}. */
    public static String heapShown(String heap) {
        return String.join(" ", heapOptions(heap));
    }

    /** The build's class data sharing archive for {@code jar} ({@code x.jsa} beside {@code x.jar}), if there is one. */
    private static Optional<String> archiveOption(Path jar) {
        String name = jar.getFileName().toString();
        Path archive = jar.resolveSibling(name.substring(0, name.length() - ".jar".length()) + ".jsa");
        return Files.exists(archive) ? Optional.of("-XX:SharedArchiveFile=" + archive) : Optional.empty();
    }

    /** Starts the jar on its embedded PostgreSQL in {@code dataDir} and waits for its first answered request. */
    public static ServiceProcess embedded(Path jar, Path dataDir, Path log, int pool, String heap) throws Exception {
        int db = freePort();
        return start(
                jar,
                List.of("--widgets.embedded.data-dir=" + dataDir, "--widgets.embedded.port=" + db),
                "jdbc:postgresql://localhost:" + db + "/postgres?user=postgres",
                dataDir,
                log,
                pool,
                heap);
    }

    /** Starts the jar on the database at {@code url} (no embedded one) and waits for its first answered request. */
    public static ServiceProcess external(Path jar, String url, Path log, int pool, String heap) throws Exception {
        return start(jar, List.of("--spring.datasource.url=" + url), url, null, log, pool, heap);
    }

    private static ServiceProcess start(
            Path jar, List<String> database, String jdbcUrl, Path dataDir, Path log, int pool, String heap)
            throws Exception {
        int http = freePort();
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(heapOptions(heap));
        // Extra JVM options for the service, e.g. -Dbench.service-jvm-args=-XX:StartFlightRecording=filename=x{n}.jfr
        // ({n} becomes 1 for the first service start of the run, 2 for the second, so recordings do not overwrite)
        String extra = System.getProperty("bench.service-jvm-args", "")
                .replace("{n}", Integer.toString(STARTS.incrementAndGet()))
                .trim();
        if (!extra.isEmpty()) {
            command.addAll(List.of(extra.split("\\s+")));
        }
        archiveOption(jar).ifPresent(command::add);
        command.addAll(List.of(
                "-jar",
                jar.toString(),
                "--server.port=" + http,
                "--widgets.security.admin-token=" + ADMIN_TOKEN,
                "--spring.datasource.hikari.maximum-pool-size=" + pool));
        command.addAll(database);
        Files.createDirectories(log.getParent());
        long t0 = System.nanoTime();
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        awaitAnswer(process, "http://localhost:" + http + "/graphql", Duration.ofMinutes(3), "the service", log);
        return new ServiceProcess(process, http, jdbcUrl, (System.nanoTime() - t0) / 1e9, dataDir);
    }

    /**
     * Polls {@code graphqlUrl} with {@code { __typename }} until it answers 200; fails when the process exits first, or
     * (ending it) when {@code limit} passes. Shared with the other servers the harness starts.
     */
    static void awaitAnswer(Process process, String graphqlUrl, Duration limit, String name, Path log)
            throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest probe = HttpRequest.newBuilder(URI.create(graphqlUrl))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"{ __typename }\"}"))
                .timeout(Duration.ofSeconds(2))
                .build();
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited; see " + log);
            }
            try {
                if (client.send(probe, HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(20);
        }
        process.destroyForcibly();
        throw new IllegalStateException(name + " did not answer within " + limit.toMinutes() + " minutes; see " + log);
    }

    public String baseUrl() {
        return "http://localhost:" + httpPort;
    }

    /** The database the service uses, for the harness's own raw-bound connections. */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    public double secondsToFirstAnswer() {
        return secondsToFirstAnswer;
    }

    /**
     * Runs a full garbage collection in the service ({@code jcmd <pid> GC.run}, which returns when it is done), so
     * that the heap figure read next is what is live, not what is waiting to be collected.
     */
    public void collectGarbage() throws IOException, InterruptedException {
        jcmd("GC.run", ProcessBuilder.Redirect.DISCARD);
    }

    /** Writes the service's heap histogram (live objects, after a full GC) to {@code file}, to see what holds memory. */
    public void classHistogram(Path file) throws IOException, InterruptedException {
        jcmd("GC.class_histogram", ProcessBuilder.Redirect.to(file.toFile()));
    }

    private void jcmd(String command, ProcessBuilder.Redirect out) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process run = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), command)
                .redirectErrorStream(true)
                .redirectOutput(out)
                .start();
        if (!run.waitFor(2, TimeUnit.MINUTES) || run.exitValue() != 0) {
            throw new IllegalStateException("jcmd " + process.pid() + " " + command + " failed");
        }
    }

    /** CPU time the service process has used so far (user + system), in seconds; NaN where it is not known. */
    public double cpuSeconds() {
        return ProcessCpu.seconds(process.toHandle());
    }

    /**
     * CPU time the service's embedded PostgreSQL has used so far ({@link ProcessCpu#databaseSeconds}); NaN on an
     * external database, whose processes may be on other machines.
     */
    public double databaseCpuSeconds() {
        return dataDir == null ? Double.NaN : ProcessCpu.databaseSeconds(dataDir);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
