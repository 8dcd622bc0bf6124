package com.widgets.bench.service;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The peer the issue measured us against: PostGraphile, a Node.js GraphQL server that builds its schema from the
 * database's tables and functions, run from npm on the service's own database. Node.js itself and each release are
 * installed under {@code home} ({@code bench/work/postgraphile}) with {@code npm} on first use (the network reaches the
 * npm registry); needs {@code npm} on the PATH, which the service itself never does.
 */
public final class PostGraphileProcess implements AutoCloseable {

    /**
     * The Node.js both releases run on, from npm's {@code node} package (which fetches the platform's binary from the
     * registry): PostGraphile 5 asks for 22 or later, and 4 runs on it too, so the two compare on one runtime.
     */
    static final String NODE = "22.23.3";

    /** The releases the lane can measure. */
    public enum Release {
        /** The one issue 14 measured; its 4.x line is what most production users still run. */
        V4("4.14.1", "boolean", "its CLI's `--cluster-workers`", "--disable-query-log"),
        /** The current one (a rewrite on Grafast): run through its library, as its CLI has no cluster option. */
        V5(
                "5.1.5",
                "result",
                "`node:cluster`, each with its library and the amber preset its CLI recommends:"
                        + " `bench/src/main/resources/postgraphile/server-v5.mjs`",
                null);

        private final String version;
        private final String payloadField;
        private final String how;
        /** The CLI option that stops it logging every request, where it logs them by default; else null. */
        private final String quiet;

        Release(String version, String payloadField, String how, String quiet) {
            this.version = version;
            this.payloadField = payloadField;
            this.how = how;
            this.quiet = quiet;
        }

        public String version() {
            return version;
        }

        /** "PostGraphile 5.1.5". */
        public String label() {
            return "PostGraphile " + version;
        }

        /** The field of a function's mutation payload that holds its result: {@code boolean} in 4, {@code result} in 5. */
        public String payloadField() {
            return payloadField;
        }

        /** For a report: the option it runs with to stop logging every request, as {@code , `option`}; or "". */
        public String quietNote() {
            return quiet == null ? "" : ", `" + quiet + "`";
        }

        /** {@code 4.14.1,5.1.5} or {@code 4,5} (major versions), in that order. */
        public static List<Release> parse(String list) {
            return Arrays.stream(list.split(","))
                    .map(String::trim)
                    .filter(s -> !s.isEmpty())
                    .map(Release::of)
                    .toList();
        }

        private static Release of(String name) {
            return Arrays.stream(values())
                    .filter(r -> r.version.equals(name) || r.version.startsWith(name + "."))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(
                            "no PostGraphile release " + name + " here; the lane runs " + Arrays.toString(values())));
        }

        @Override
        public String toString() {
            return version;
        }
    }

    private static final Pattern JDBC = Pattern.compile("jdbc:postgresql://([^:/]+):(\\d+)/([^?]+)\\?user=([^&]+)");

    private final Release release;
    private final Process process;
    private final int httpPort;
    private final int workers;

    private PostGraphileProcess(Release release, Process process, int httpPort, int workers) {
        this.release = release;
        this.process = process;
        this.httpPort = httpPort;
        this.workers = workers;
    }

    /**
     * Starts {@code release} on the database at {@code jdbcUrl} (the form {@link ServiceProcess#jdbcUrl()} has),
     * exposing {@code schemas}, with {@code workers} Node processes on one port (1 runs a single process) of {@code
     * poolPerWorker} connections each, and waits until it answers.
     */
    public static PostGraphileProcess start(
            Path home, Release release, String jdbcUrl, String schemas, int workers, int poolPerWorker, Path log)
            throws Exception {
        Path node = installNode(home.resolve("node-" + NODE));
        Path dir = install(home.resolve(release.version()), "postgraphile", release.version());
        Matcher m = JDBC.matcher(jdbcUrl);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "not a URL of the form jdbc:postgresql://host:port/db?user=u: " + jdbcUrl);
        }
        String connection = "postgres://" + m.group(4) + "@" + m.group(1) + ":" + m.group(2) + "/" + m.group(3);
        int http = ServiceProcess.freePort();
        List<String> command = new ArrayList<>(List.of(node.toString()));
        if (release == Release.V4) {
            command.addAll(List.of(
                    dir.resolve("node_modules/postgraphile/cli.js").toString(),
                    "--connection",
                    connection,
                    "--schema",
                    schemas,
                    "--host",
                    "127.0.0.1",
                    "--port",
                    Integer.toString(http),
                    "--max-pool-size",
                    Integer.toString(poolPerWorker),
                    release.quiet));
            if (workers > 1) {
                command.addAll(List.of("--cluster-workers", Integer.toString(workers)));
            }
        } else {
            Path script = dir.resolve("server-v5.mjs"); // beside its node_modules, so its imports resolve there
            try (InputStream in = PostGraphileProcess.class.getResourceAsStream("/postgraphile/server-v5.mjs")) {
                Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
            }
            command.addAll(List.of(
                    script.toString(),
                    connection,
                    schemas,
                    "127.0.0.1",
                    Integer.toString(http),
                    Integer.toString(workers),
                    Integer.toString(poolPerWorker)));
        }
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("NODE_ENV", "production"); // as deployed: Express and graphql-js skip dev checks
        builder.environment().put("GRAPHILE_ENV", "production"); // 5's own switch (its default, said outright)
        Process process = builder.redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        ServiceProcess.awaitAnswer(
                process, "http://127.0.0.1:" + http + "/graphql", Duration.ofMinutes(2), release.label(), log);
        return new PostGraphileProcess(release, process, http, workers);
    }

    /** Node.js from npm's {@code node} package, installed into {@code dir} unless it is there; its binary. */
    private static Path installNode(Path dir) throws Exception {
        Path binary = install(dir, "node", NODE).resolve("node_modules/node/bin/node");
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException(
                    "npm installed node@" + NODE + " without " + binary + "; see " + dir.resolve("npm-install.log"));
        }
        return binary;
    }

    /** Installs {@code pkg@version} with npm into {@code dir} unless that version is there already; returns dir. */
    private static Path install(Path dir, String pkg, String version) throws Exception {
        Path installed = dir.resolve("node_modules/" + pkg + "/package.json");
        if (Files.exists(installed) && Files.readString(installed).contains("\"version\": \"" + version + "\"")) {
            return dir;
        }
        Files.createDirectories(dir);
        Path log = dir.resolve("npm-install.log");
        Process npm = new ProcessBuilder(
                        "npm", "install", "--prefix", dir.toString(), "--no-audit", "--no-fund", pkg + "@" + version)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        if (!npm.waitFor(10, TimeUnit.MINUTES) || npm.exitValue() != 0) {
            npm.destroyForcibly();
            throw new IllegalStateException("npm install " + pkg + "@" + version + " failed; see " + log);
        }
        if (!Files.exists(installed)) {
            throw new IllegalStateException("npm installed " + pkg + "@" + version + " without " + installed);
        }
        return dir;
    }

    public Release release() {
        return release;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    /** How it ran: "one Node process" or "2 Node processes (its CLI's `--cluster-workers`)". */
    public String shape() {
        return workers > 1 ? workers + " Node processes (" + release.how + ")" : "one Node process";
    }

    /** The Node.js it runs on. */
    public static String nodeVersion() {
        return "v" + NODE;
    }

    /** CPU seconds its processes (the cluster's master and its workers) have used so far. */
    public double cpuSeconds() {
        return Stream.concat(Stream.of(process.toHandle()), process.toHandle().descendants())
                .mapToDouble(ProcessCpu::seconds)
                .sum();
    }

    @Override
    public void close() throws InterruptedException {
        process.toHandle().descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
