package com.widgets.bench.service;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The stack's floor ({@code com.widgets.bench.StackFloor}) in a JVM of its own, started from the harness's own jar
 * through Spring Boot's {@code PropertiesLauncher} with the service's heap options and pool size, so that it differs
 * from the service only in what it does a request.
 */
public final class StackFloorProcess implements AutoCloseable {

    private static final String MAIN = "com.widgets.bench.StackFloor";

    private final Process process;
    private final int httpPort;

    private StackFloorProcess(Process process, int httpPort) {
        this.process = process;
        this.httpPort = httpPort;
    }

    /** Starts it on the database at {@code jdbcUrl} with a pool of {@code pool}, and waits until it answers. */
    public static StackFloorProcess start(String jdbcUrl, int pool, String heap, Path log) throws Exception {
        int http = ServiceProcess.freePort();
        List<String> command = new ArrayList<>(List.of(java("java")));
        command.addAll(ServiceProcess.heapOptions(heap));
        command.addAll(List.of(
                "-cp",
                harnessJar(),
                "-Dloader.main=" + MAIN,
                "org.springframework.boot.loader.launch.PropertiesLauncher",
                "--server.port=" + http,
                "--spring.datasource.url=" + jdbcUrl,
                "--spring.datasource.hikari.maximum-pool-size=" + pool));
        command.addAll(requestThreads());
        command.addAll(extraArguments());
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        ServiceProcess.awaitAnswer(
                process, "http://127.0.0.1:" + http + "/graphql", Duration.ofMinutes(2), "the stack's floor", log);
        return new StackFloorProcess(process, http);
    }

    /**
     * As many request threads as the service runs by default ({@code widgets.http.request-threads}: 4 a processor, at
     * least 8), fixed: with Tomcat's default 200, all of 32 clients' requests ran at once on two cores and its
     * link/unlink p99 was 45.9 ms against 19.5 ms with 8 (PROFILE.md, 2026-12-08), so the default was no floor.
     */
    public static List<String> requestThreads() {
        int threads = Math.max(8, 4 * Runtime.getRuntime().availableProcessors());
        List<String> named = extraArguments().stream()
                .map(argument -> argument.split("=", 2)[0])
                .toList();
        // Spring joins an option given twice into one list value, so an extra one replaces it rather than follows it
        return Stream.of("--server.tomcat.threads.max=", "--server.tomcat.threads.min-spare=")
                .filter(option -> !named.contains(option.substring(0, option.length() - 1)))
                .map(option -> option + threads)
                .toList();
    }

    /**
     * Further arguments for it, from {@code -Dbench.peer.floor-args} (split at spaces), e.g. {@code
     * --server.tomcat.threads.max=200 --server.tomcat.threads.min-spare=10} for Tomcat's defaults; one that {@link
     * #requestThreads} also sets replaces it.
     */
    public static List<String> extraArguments() {
        String extra = System.getProperty("bench.peer.floor-args", "").trim();
        return extra.isEmpty() ? List.of() : List.of(extra.split("\\s+"));
    }

    /** The jar this harness runs from ({@code bench/run} starts it with {@code -jar}). */
    private static String harnessJar() {
        String classPath = System.getProperty("java.class.path");
        if (!classPath.endsWith(".jar") || classPath.contains(java.io.File.pathSeparator)) {
            throw new IllegalStateException("the stack's floor starts from the harness's jar; run it as bench/run does"
                    + " (java -jar bench/target/widgets-bench.jar), not from " + classPath);
        }
        return classPath;
    }

    private static String java(String tool) {
        return Path.of(System.getProperty("java.home"), "bin", tool).toString();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    /** CPU time its JVM has used so far, in seconds. */
    public double cpuSeconds() {
        return ProcessCpu.seconds(process.toHandle());
    }

    /**
     * Milliseconds its JIT compilers have worked so far, from HotSpot's counters ({@code jcmd PID PerfCounter.print}:
     * {@code java.ci.totalTime} in ticks of {@code sun.os.hrt.frequency}), as the service's metric says them.
     */
    public double compilationMillis() throws IOException {
        Process jcmd = new ProcessBuilder(java("jcmd"), Long.toString(process.pid()), "PerfCounter.print")
                .redirectErrorStream(true)
                .start();
        String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        double ticks = Double.NaN, frequency = Double.NaN;
        for (String line : out.split("\n")) {
            if (line.startsWith("java.ci.totalTime=")) {
                ticks = Double.parseDouble(line.substring(line.indexOf('=') + 1).trim());
            } else if (line.startsWith("sun.os.hrt.frequency=")) {
                frequency =
                        Double.parseDouble(line.substring(line.indexOf('=') + 1).trim());
            }
        }
        if (Double.isNaN(ticks) || Double.isNaN(frequency)) {
            throw new IOException("jcmd PerfCounter.print gave no compilation time: " + out.strip());
        }
        return ticks / frequency * 1000;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
