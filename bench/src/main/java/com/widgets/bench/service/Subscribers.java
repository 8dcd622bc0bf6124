package com.widgets.bench.service;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code wiringChanged} subscribers over graphql-ws (graphql-transport-ws), as consoles hold them, run in a process of
 * their own ({@link SubscriberClients}) on the same machine: the harness asks it how many events arrived and, when it
 * checks them, for every receipt. Arrival times are {@link System#nanoTime()} in that process, which on Linux and macOS
 * reads the same monotonic clock as the writers' process, so a delivery's latency can run from the writer reading the
 * mutation's response to the subscriber receiving the event.
 */
public final class Subscribers implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Subscribers.class);

    /** One event as a subscriber got it: {@code nanos} is {@link System#nanoTime()} on arrival. */
    public record Receipt(long id, String requestId, long nanos) {}

    /** One subscription: the widgets it watches (null: all) and what it got, as of the last {@link #subscriptions()}. */
    public static final class Subscription {
        private final List<String> serials;
        private List<Receipt> receipts = List.of();
        private String error;
        private boolean completed;

        private Subscription(List<String> serials) {
            this.serials = serials;
        }

        public List<String> serials() {
            return serials;
        }

        public List<Receipt> receipts() {
            return receipts;
        }

        /** The error that ended it (SLOW_SUBSCRIBER, TOO_MANY_SUBSCRIPTIONS, a closed socket), or null. */
        public String error() {
            return error;
        }

        public boolean completed() {
            return completed;
        }
    }

    /** What the subscribers' process says now. */
    public record Status(long received, long errors, String firstError) {}

    private final Process process;
    private final BufferedReader answers;
    private final BufferedWriter commands;
    private final List<Subscription> subscriptions;
    private final Path work;

    private Subscribers(Process process, List<Subscription> subscriptions, Path work) {
        this.process = process;
        this.answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.commands = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        this.subscriptions = subscriptions;
        this.work = work;
    }

    /**
     * Starts the subscribers' process, which opens {@code connections} WebSockets to the service at {@code baseUrl}
     * and subscribes each entry of {@code watching} (a list of serial numbers, or null for every change), subscription
     * {@code j} on connection {@code j mod connections}. Returns once every connection is acknowledged and every
     * subscription sent; the service registers them moments later (its {@code widgets.live.subscribers} gauge says
     * when).
     */
    public static Subscribers open(String baseUrl, int connections, List<List<String>> watching) throws IOException {
        Path work = Files.createTempDirectory("widgets-subscribers");
        Path spec = work.resolve("watching.txt");
        List<Subscription> subscriptions = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        for (List<String> serials : watching) {
            subscriptions.add(new Subscription(serials));
            lines.add(serials == null ? "*" : String.join(",", serials));
        }
        Files.write(spec, lines);
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g",
                "-jar",
                System.getProperty("java.class.path"), // the bench jar this harness runs from
                "subscribers",
                baseUrl,
                Integer.toString(connections),
                spec.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().put(SubscriberClients.TOKEN, ServiceProcess.ADMIN_TOKEN); // not in the command line
        Process process = builder.start();
        Subscribers subscribers = new Subscribers(process, subscriptions, work);
        String opened = subscribers.answer();
        if (!opened.equals("opened")) {
            subscribers.close();
            throw new IllegalStateException("the subscribers' process did not open its subscriptions: " + opened);
        }
        return subscribers;
    }

    /** How many events have arrived so far, and how many subscriptions were ended by an error. */
    public Status status() throws IOException {
        String[] parts = ask("status").split(" ", 3);
        return new Status(Long.parseLong(parts[0]), Long.parseLong(parts[1]), parts.length > 2 ? parts[2] : "");
    }

    /** The subscriptions with what each received until now (every receipt read from the subscribers' process). */
    public List<Subscription> subscriptions() throws IOException {
        Path file = work.resolve("receipts.bin");
        String written = ask("receipts " + file);
        if (!written.equals("written")) {
            throw new IllegalStateException("the subscribers' process did not write its receipts: " + written);
        }
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
            int count = in.readInt();
            for (int j = 0; j < count; j++) {
                Subscription s = subscriptions.get(j);
                s.completed = in.readBoolean();
                String error = in.readUTF();
                s.error = error.isEmpty() ? null : error;
                int n = in.readInt();
                List<Receipt> receipts = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    long id = in.readLong();
                    String requestId = in.readUTF();
                    receipts.add(new Receipt(id, requestId.isEmpty() ? null : requestId, in.readLong()));
                }
                s.receipts = receipts;
            }
        }
        Files.delete(file);
        return subscriptions;
    }

    /** What each subscription watches (null: every change), in order. */
    public List<List<String>> watching() {
        return subscriptions.stream().map(Subscription::serials).toList();
    }

    /** Subscriptions ended by an error (the first one's message is kept). */
    public List<String> errors() throws IOException {
        Status status = status();
        List<String> errors = new ArrayList<>();
        for (long i = 0; i < status.errors(); i++) {
            errors.add(status.firstError());
        }
        return errors;
    }

    /** CPU time the subscribers' process has used, in seconds. */
    public double cpuSeconds() {
        return process.info().totalCpuDuration().orElse(Duration.ZERO).toNanos() / 1e9;
    }

    /** Closes every connection, as a browser tab closing does (the service ends their subscriptions), and the process. */
    @Override
    public void close() throws IOException {
        try {
            if (process.isAlive()) {
                ask("close");
            }
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } finally {
            try (var files = Files.list(work)) {
                for (Path file : files.toList()) {
                    Files.deleteIfExists(file);
                }
            }
            Files.deleteIfExists(work);
        }
    }

    private String ask(String command) throws IOException {
        commands.write(command);
        commands.newLine();
        commands.flush();
        return answer();
    }

    /** The next answer line; the process's log lines before it go to this log. */
    private String answer() throws IOException {
        String line;
        while ((line = answers.readLine()) != null) {
            if (line.startsWith(SubscriberClients.ANSWER)) {
                return line.substring(SubscriberClients.ANSWER.length());
            }
            log.debug("subscribers: {}", line);
        }
        throw new IOException("the subscribers' process ended (exit " + exitCode() + ")");
    }

    private String exitCode() {
        try {
            return process.waitFor(5, TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "still running";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
