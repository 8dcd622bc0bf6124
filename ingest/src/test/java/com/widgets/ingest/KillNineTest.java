package com.widgets.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.db.testing.TestDatabases;
import com.widgets.ingest.cli.IngestCommandLine;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real thing: the command-line runner in its own JVM, killed with SIGKILL mid-job, then run again with the same
 * arguments. Each run gets a database of its own (an embedded one, or a fresh one in the Citus lane), so nothing is
 * shared with the other tests.
 */
class KillNineTest {

    private static final Pattern PROGRESS = Pattern.compile("Rewiring job \\d+: (\\d+) of (\\d+|\\?) lines");
    private static final Pattern DONE =
            Pattern.compile("COMPLETED: (read \\d+, applied \\d+, unchanged \\d+, rejected \\d+)");

    @TempDir
    Path temp;

    @Test
    void aJobKilledMidwayResumesAndEndsExactlyAsAnUninterruptedRun() throws Exception {
        Path file = GeneratedFiles.rewiring(temp.resolve("kill.csv"), 5_000, 200_000, 11);

        List<String> calm = TestDatabases.ownDatabaseArgs("calm", temp.resolve("pg-calm"));
        String uninterrupted = finalCounts(runToEnd(calm, "--file=" + file));
        assertThat(runToEnd(calm, "--export=" + temp.resolve("calm.csv")).exitValue)
                .isZero();

        List<String> killed = TestDatabases.ownDatabaseArgs("killed", temp.resolve("pg-killed"));
        Path firstLog = temp.resolve("first.log");
        Process first = start(killed, firstLog, "--file=" + file);
        awaitProgress(first, firstLog);
        Thread.sleep(2500); // well into the job, far from its end
        first.destroyForcibly(); // SIGKILL: no shutdown hooks, the database server is left running
        first.waitFor();

        Run resumed = runToEnd(killed, "--file=" + file);
        assertThat(resumed.exitValue).isZero();
        assertThat(resumed.output).contains("recovering it");
        Matcher resumedAt = PROGRESS.matcher(resumed.output);
        boolean midway = false;
        while (resumedAt.find()) {
            long read = Long.parseLong(resumedAt.group(1));
            midway |= read > 0 && read < 200_000;
        }
        assertThat(midway)
                .as("the resumed job started from lines committed before the kill")
                .isTrue();
        assertThat(finalCounts(resumed)).isEqualTo(uninterrupted);
        assertThat(runToEnd(killed, "--export=" + temp.resolve("killed.csv")).exitValue)
                .isZero();
        assertThat(Files.readAllLines(temp.resolve("killed.csv")))
                .isEqualTo(Files.readAllLines(temp.resolve("calm.csv")));
    }

    private record Run(int exitValue, String output) {}

    private Run runToEnd(List<String> database, String... args) throws Exception {
        Path log = Files.createTempFile(temp, "run", ".log");
        Process process = start(database, log, args);
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).isTrue();
        return new Run(process.exitValue(), Files.readString(log));
    }

    private static Process start(List<String> database, Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(IngestCommandLine.class.getName());
        command.addAll(List.of(args));
        command.addAll(database);
        command.add("--widgets.ingest.chunk-size=200");
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .directory(new File(System.getProperty("user.dir")))
                .start();
    }

    /** Waits for the first progress line: the job has started. */
    private static void awaitProgress(Process process, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline && process.isAlive()) {
            if (PROGRESS.matcher(Files.readString(log)).find()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no progress seen:\n" + Files.readString(log));
    }

    private static String finalCounts(Run run) {
        Matcher done = DONE.matcher(run.output);
        assertThat(done.find()).as(run.output).isTrue();
        return done.group(1);
    }
}
