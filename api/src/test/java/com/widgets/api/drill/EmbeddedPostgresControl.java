package com.widgets.api.drill;

import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stops and starts the embedded PostgreSQL of a data directory for real, with its own {@code pg_ctl} (a fast shutdown:
 * sessions are ended, the server exits; not a paused process), and starts it again with the very options it was
 * started with, from {@code postmaster.opts}: same port, same settings.
 */
final class EmbeddedPostgresControl {

    private static final Pattern ARGUMENT = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final Path dataDir;
    private final Path pgCtl;
    private final List<String> options;

    EmbeddedPostgresControl(Path dataDir) throws IOException {
        this.dataDir = dataDir.toAbsolutePath();
        // postgres "-D" "/data" "-p" "5432" ...: the binary as is, then every argument in double quotes
        String opts = Files.readString(this.dataDir.resolve("postmaster.opts")).strip();
        int firstQuote = opts.indexOf('"');
        this.pgCtl = Path.of(opts.substring(0, firstQuote).strip()).resolveSibling("pg_ctl");
        List<String> arguments = new ArrayList<>();
        Matcher argument = ARGUMENT.matcher(opts.substring(firstQuote));
        while (argument.find()) {
            arguments.add(argument.group(1));
        }
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < arguments.size(); i++) {
            if (arguments.get(i).equals("-D")) {
                i++; // the data directory: pg_ctl names it
            } else {
                rest.add("\"" + arguments.get(i) + "\"");
            }
        }
        this.options = rest;
    }

    /** Stops the server (fast shutdown) and waits until it is gone. */
    void stop() throws IOException, InterruptedException {
        pgCtl("stop", "-D", dataDir.toString(), "-m", "fast", "-w");
    }

    /** Starts it again as it was started, and waits until it accepts connections. */
    void start() throws IOException, InterruptedException {
        pgCtl(
                "start",
                "-D",
                dataDir.toString(),
                "-w",
                "-l",
                dataDir.resolveSibling(dataDir.getFileName() + ".log").toString(),
                "-o",
                String.join(" ", options));
    }

    private void pgCtl(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (LinuxUtils.isUnshareAvailable()) {
            // as zonky does: pg_ctl refuses to run as root, and is not root in a user namespace of its own
            command.addAll(List.of("unshare", "-U"));
        }
        command.add(pgCtl.toString());
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IllegalStateException("pg_ctl " + String.join(" ", arguments) + " failed: " + output);
        }
    }
}
