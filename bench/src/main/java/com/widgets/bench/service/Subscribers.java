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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A group of {@code wiringChanged} subscribers over graphql-ws (graphql-transport-ws), as consoles hold them, run in a
 * process of their own ({@link SubscriberClients}) on the same machine, one for the whole run: the harness asks it how
 * many events arrived and, when it checks them, for every receipt. Arrival times are {@link System#nanoTime()} in that process, which on Linux and macOS
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

    /**
     * Whether the subscribers' JVM runs at the lowest scheduling priority ({@code nice -n 19}, where there is a {@code
     * nice}; {@code -Dbench.subscribers-nice=false} turns it off). They stand for consoles on other machines: at
     * normal priority, decoding 8,400 events a second took as much of the two cores from the writers being measured as
     * the service's delivery did (bench/PROFILE.md).
     */
    public static boolean lowPriority() {
        return nice().isPresent();
    }

    private static Optional<Path> nice() {
        if (!Boolean.parseBoolean(System.getProperty("bench.subscribers-nice", "true"))) {
            return Optional.empty();
        }
        return Stream.of("/usr/bin/nice", "/bin/nice")
                .map(Path::of)
                .filter(Files::isExecutable)
                .findFirst();
    }

    /** The subscribers' process, started at the first {@link #open} and ended with the harness. */
    private static final class Host {
        private final Process process;
        private final BufferedReader answers;
        private final BufferedWriter commands;
        private final Path work;

        private Host() throws IOException {
            work = Files.createTempDirectory("widgets-subscribers");
            List<String> command = new ArrayList<>();
            nice().ifPresent(nice -> command.addAll(List.of(nice.toString(), "-n", "19")));
            command.addAll(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx2g",
                    "-jar",
                    System.getProperty("java.class.path"), // the bench jar this harness runs from
                    "subscribers"));
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
            builder.environment().put(SubscriberClients.TOKEN, ServiceProcess.ADMIN_TOKEN); // not in the command line
            process = builder.start();
            answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            commands = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
            Runtime.getRuntime().addShutdownHook(new Thread(this::exit));
        }

        synchronized String ask(String command) throws IOException {
            commands.write(command);
            commands.newLine();
            commands.flush();
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

        private void exit() {
            try {
                if (process.isAlive()) {
                    commands.write("exit");
                    commands.newLine();
                    commands.flush();
                    if (!process.waitFor(30, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                    }
                }
                try (var files = Files.list(work)) {
                    for (Path file : files.toList()) {
                        Files.deleteIfExists(file);
                    }
                }
                Files.deleteIfExists(work);
            } catch (IOException e) {
                process.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    private static Host host;
    private static final AtomicInteger GROUPS = new AtomicInteger();

    private final Host process;
    private final String group;
    private final List<Subscription> subscriptions;

    private Subscribers(Host process, String group, List<Subscription> subscriptions) {
        this.process = process;
        this.group = group;
        this.subscriptions = subscriptions;
    }

    private static synchronized Host host() throws IOException {
        if (host == null) {
            host = new Host();
        }
        return host;
    }

    /**
     * Has the subscribers' process open {@code connections} WebSockets to the service at {@code baseUrl} and
     * subscribe each entry of {@code watching} (a list of serial numbers, or null for every change), subscription
     * {@code j} on connection {@code j mod connections}. Returns once every connection is acknowledged and every
     * subscription sent; the service registers them moments later (its {@code widgets.live.subscribers} gauge says
     * when).
     */
    public static Subscribers open(String baseUrl, int connections, List<List<String>> watching) throws IOException {
        Host process = host();
        String group = Integer.toString(GROUPS.incrementAndGet());
        Path spec = process.work.resolve("watching-" + group + ".txt");
        List<Subscription> subscriptions = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        for (List<String> serials : watching) {
            subscriptions.add(new Subscription(serials));
            lines.add(serials == null ? "*" : String.join(",", serials));
        }
        Files.write(spec, lines);
        String opened = process.ask("open " + group + " " + baseUrl + " " + connections + " " + spec);
        Files.delete(spec);
        if (!opened.equals("opened")) {
            throw new IllegalStateException("the subscribers' process did not open its subscriptions: " + opened);
        }
        return new Subscribers(process, group, subscriptions);
    }

    /** How many events have arrived so far, and how many subscriptions were ended by an error. */
    public Status status() throws IOException {
        String[] parts = process.ask("status " + group).split(" ", 3);
        return new Status(Long.parseLong(parts[0]), Long.parseLong(parts[1]), parts.length > 2 ? parts[2] : "");
    }

    /** The subscriptions with what each received until now (every receipt read from the subscribers' process). */
    public List<Subscription> subscriptions() throws IOException {
        Path file = process.work.resolve("receipts-" + group + ".bin");
        String written = process.ask("receipts " + group + " " + file);
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

    /** CPU time the subscribers' process has used so far (all its groups), in seconds. */
    public double cpuSeconds() {
        return ProcessCpu.seconds(process.process.toHandle());
    }

    /**
     * Like {@link #cpuSeconds()}, whether or not a group is open now: 0 before the process started (it has used
     * none), its CPU time after.
     */
    public static synchronized double processCpuSeconds() {
        return host == null ? 0 : ProcessCpu.seconds(host.process.toHandle());
    }

    /** Closes every connection, as a browser tab closing does: the service ends their subscriptions itself. */
    @Override
    public void close() throws IOException {
        String closed = process.ask("close " + group);
        if (!closed.equals("closed")) {
            throw new IllegalStateException("the subscribers' process did not close its connections: " + closed);
        }
    }
}
