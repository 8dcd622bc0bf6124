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
 * sessions are ended, the server exits), and starts it again with the very options it was started with, from {@code
 * postmaster.opts}: same port, same settings. Or freezes it: every process of the server paused ({@code SIGSTOP}),
 * so connections stay open and nothing answers — what a client sees of a host that hangs or is cut off — until it is
 * thawed ({@code SIGCONT}, not on Windows).
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

    /**
     * Pauses the server's processes, the postmaster first so that it starts no new one; returns them. A child that
     * ended between being listed and being paused is simply not paused; should anything else fail, the postmaster is
     * let go again before the failure is thrown, so the drills after this one still have their database.
     */
    List<ProcessHandle> freeze() throws IOException, InterruptedException {
        long postmaster = Long.parseLong(
                Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).strip());
        ProcessHandle server = ProcessHandle.of(postmaster).orElseThrow();
        signal("STOP", List.of(server), true);
        List<ProcessHandle> frozen = new ArrayList<>(List.of(server));
        try {
            List<ProcessHandle> children = server.descendants().toList();
            signal("STOP", children, false);
            frozen.addAll(children);
        } catch (IOException | RuntimeException e) {
            thaw(frozen);
            throw e;
        }
        return frozen;
    }

    /** Lets the processes {@link #freeze} paused run again (those that still exist). */
    static void thaw(List<ProcessHandle> frozen) throws IOException, InterruptedException {
        signal("CONT", frozen, false);
    }

    /** {@code kill -SIGNAL} to each process; unless {@code strict}, one that no longer exists is no failure. */
    private static void signal(String signal, List<ProcessHandle> processes, boolean strict)
            throws IOException, InterruptedException {
        if (processes.isEmpty()) {
            return;
        }
        List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
        processes.forEach(process -> command.add(String.valueOf(process.pid())));
        String failure = run(command);
        if (failure != null && (strict || processes.stream().allMatch(ProcessHandle::isAlive))) {
            throw new IllegalStateException(failure);
        }
    }

    private void pgCtl(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (LinuxUtils.isUnshareAvailable()) {
            // as zonky does: pg_ctl refuses to run as root, and is not root in a user namespace of its own
            command.addAll(List.of("unshare", "-U"));
        }
        command.add(pgCtl.toString());
        command.addAll(List.of(arguments));
        String failure = run(command);
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }

    /** Runs {@code command}; null when it succeeded, else what it said. */
    private static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
            return String.join(" ", command) + " failed: " + output;
        }
        return null;
    }
}
