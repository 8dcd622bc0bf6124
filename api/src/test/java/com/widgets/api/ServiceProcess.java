package com.widgets.api;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The service as shipped — main class path, its own application.properties — in a JVM of its own, working in {@code
 * dir}, its output (stdout and stderr) in a file: for what only a whole process shows (its log format, a SIGTERM).
 */
public final class ServiceProcess implements AutoCloseable {

    private static final Pattern PORT = Pattern.compile("Tomcat started on port (\\d+)");

    private final Process process;
    private final Path log;
    private final int port;

    private ServiceProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts it with these arguments (plus a random port) and waits until it listens. */
    public static ServiceProcess start(Path dir, List<String> arguments) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path log = Files.createTempFile(dir, "service", ".log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-cp",
                mainClassPath(),
                WidgetsApiApplication.class.getName(),
                "--server.port=0"));
        command.addAll(arguments);
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .directory(dir.toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline && process.isAlive()) {
            Matcher port = PORT.matcher(Files.readString(log));
            if (port.find()) {
                return new ServiceProcess(process, log, Integer.parseInt(port.group(1)));
            }
            Thread.sleep(50);
        }
        process.destroyForcibly();
        throw new AssertionError("the service did not start:\n" + Files.readString(log));
    }

    /** The test's class path without the test classes and test jars: the service as packaged. */
    private static String mainClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.endsWith("test-classes") && !entry.endsWith("-tests.jar"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    public int port() {
        return port;
    }

    public String output() throws IOException {
        return Files.readString(log);
    }

    /** SIGTERM, as Kubernetes or Ctrl-C stops it; returns its exit code once it ended. */
    public int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            throw new AssertionError("the service did not end within 2 minutes of SIGTERM");
        }
        return process.exitValue();
    }

    /** SIGKILL, as {@code kill -9}: no shutdown hook runs; returns once it ended. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the service did not end within 30 s of SIGKILL");
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
