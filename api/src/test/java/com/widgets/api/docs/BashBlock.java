package com.widgets.api.docs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A docs' {@code sh} block running in bash, as a reader runs it in a terminal: in a folder holding the repository's
 * {@code samples/}, with {@code TOKEN} set, against the test's service. Its curl fails on an HTTP error status
 * ({@code --fail-with-body}) unless the block shows an error, and its output goes to a file, so that a block left
 * running in the background can be read while it runs.
 */
final class BashBlock implements AutoCloseable {

    private final DocBlock block;
    private final Process process;
    private final Path output;

    private BashBlock(DocBlock block, Process process, Path output) {
        this.block = block;
        this.process = process;
        this.output = output;
    }

    static BashBlock start(DocBlock block, Path dir, String token, int port) throws IOException {
        String curl = block.run() == DocBlock.Run.SHOWING_AN_ERROR
                ? "curl() { command curl --silent --show-error \"$@\"; }"
                : "curl() { command curl --silent --show-error --fail-with-body \"$@\"; }";
        String script =
                "set -eo pipefail\n" + curl + "\n" + block.text().replace("localhost:8080", "localhost:" + port);
        Path output = Files.createTempFile(dir, "block-" + block.line() + "-", ".out");
        ProcessBuilder bash = new ProcessBuilder("bash", "-c", script)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        bash.environment().put("TOKEN", token);
        return new BashBlock(block, bash.start(), output);
    }

    /** Waits for the block to end; fails when it does not end in time. */
    int await(Duration timeout) throws InterruptedException, IOException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            close();
            throw new AssertionError(block.where() + ": still running after " + timeout + ":\n" + output());
        }
        return process.exitValue();
    }

    DocBlock block() {
        return block;
    }

    boolean isRunning() {
        return process.isAlive();
    }

    String output() throws IOException {
        return Files.readString(output, StandardCharsets.UTF_8);
    }

    /** Stops the block, and the curl it runs. */
    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
    }
}
