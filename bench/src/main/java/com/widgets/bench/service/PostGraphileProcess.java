package com.widgets.bench.service;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The peer the issue measured us against: PostGraphile, a Node.js GraphQL server that builds its schema from the
 * database's tables and functions, run from npm on the service's own database. Installed into {@code
 * bench/work/postgraphile} with {@code npm} on first use (the network reaches the npm registry); needs {@code node} and
 * {@code npm} on the PATH, which the service itself never does.
 */
public final class PostGraphileProcess implements AutoCloseable {

    /** The version issue 14 measured (its 4.x line is the one users run in production; 5 is a rewrite). */
    public static final String VERSION = "4.14.1";

    private static final Pattern JDBC = Pattern.compile("jdbc:postgresql://([^:/]+):(\\d+)/([^?]+)\\?user=([^&]+)");

    private final Process process;
    private final int httpPort;
    private final int workers;

    private PostGraphileProcess(Process process, int httpPort, int workers) {
        this.process = process;
        this.httpPort = httpPort;
        this.workers = workers;
    }

    /**
     * Starts PostGraphile on the database at {@code jdbcUrl} (the form {@link ServiceProcess#jdbcUrl()} has), exposing
     * {@code schemas}, with {@code workers} Node processes (its {@code --cluster-workers}; 1 runs a single process) of
     * {@code poolPerWorker} connections each, and waits until it answers.
     */
    public static PostGraphileProcess start(
            Path home, String jdbcUrl, String schemas, int workers, int poolPerWorker, Path log) throws Exception {
        Path cli = install(home);
        Matcher m = JDBC.matcher(jdbcUrl);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "not a URL of the form jdbc:postgresql://host:port/db?user=u: " + jdbcUrl);
        }
        String connection = "postgres://" + m.group(4) + "@" + m.group(1) + ":" + m.group(2) + "/" + m.group(3);
        int http = ServiceProcess.freePort();
        List<String> command = new ArrayList<>(List.of(
                "node",
                cli.toString(),
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
                "--disable-query-log"));
        if (workers > 1) {
            command.addAll(List.of("--cluster-workers", Integer.toString(workers)));
        }
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("NODE_ENV", "production"); // as deployed: Express and graphql-js skip dev checks
        Process process = builder.redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        ServiceProcess.awaitAnswer(
                process, "http://127.0.0.1:" + http + "/graphql", Duration.ofMinutes(2), "PostGraphile", log);
        return new PostGraphileProcess(process, http, workers);
    }

    /** Its command-line entry point, installed with npm into {@code home} unless it is there already. */
    private static Path install(Path home) throws Exception {
        Path cli = home.resolve("node_modules/postgraphile/cli.js");
        Path installed = home.resolve("node_modules/postgraphile/package.json");
        if (Files.exists(installed) && Files.readString(installed).contains("\"version\": \"" + VERSION + "\"")) {
            return cli;
        }
        Files.createDirectories(home);
        Process npm = new ProcessBuilder(
                        "npm",
                        "install",
                        "--prefix",
                        home.toString(),
                        "--no-audit",
                        "--no-fund",
                        "postgraphile@" + VERSION)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        home.resolve("npm-install.log").toFile()))
                .start();
        if (!npm.waitFor(10, TimeUnit.MINUTES) || npm.exitValue() != 0) {
            npm.destroyForcibly();
            throw new IllegalStateException(
                    "npm install postgraphile@" + VERSION + " failed; see " + home.resolve("npm-install.log"));
        }
        if (!Files.exists(cli)) {
            throw new IllegalStateException("npm installed PostGraphile without " + cli);
        }
        return cli;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    /** How it ran: "one Node process" or "2 Node processes (`--cluster-workers 2`)". */
    public String shape() {
        return workers > 1 ? workers + " Node processes (`--cluster-workers " + workers + "`)" : "one Node process";
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
