package com.widgets.api.start;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.api.WidgetsApiApplication;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service's very first start as a newcomer sees it: the service as shipped in its own JVM (main class path, no
 * settings but a free port), started in an empty directory. Its console holds no ERROR line, no stack trace and none
 * of initdb's output, exactly one line saying where the data is and which URLs to open, and the admin token, which
 * signs in.
 */
class FirstStartTest {

    private static final Pattern READY = Pattern.compile(
            "^\\S+\\s+INFO .*Widgets wiring service ready: open (http://localhost:(\\d+))/ .*$", Pattern.MULTILINE);
    private static final Pattern ERROR = Pattern.compile("^\\S+\\s+ERROR .*$", Pattern.MULTILINE);
    private static final Pattern TOKEN = Pattern.compile("^ {4}(wgt_\\S+)$", Pattern.MULTILINE);

    @TempDir
    Path temp;

    private Process service;

    @Test
    void saysOnceWhereTheDataIsAndWhatToOpenAndNothingAlarming() throws Exception {
        Path console = temp.resolve("console.log");
        service = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx512m",
                        "-cp",
                        mainClassPath(),
                        WidgetsApiApplication.class.getName(),
                        "--server.port=0")
                .directory(temp.toFile())
                .redirectErrorStream(true)
                .redirectOutput(console.toFile())
                .start();
        String output = awaitTheToken(console);

        Matcher ready = READY.matcher(output);
        assertThat(ready.find()).as(output).isTrue();
        String base = ready.group(1);
        assertThat(ready.group())
                .contains(base + "/graphiql")
                .contains(base + "/actuator/health")
                .contains(temp.resolve("data").resolve("postgres").toRealPath().toString());
        assertThat(ready.find()).as("the ready line, once:%n%s", output).isFalse();

        assertThat(ERROR.matcher(output)
                        .results()
                        .map(java.util.regex.MatchResult::group)
                        .toList())
                .as(output)
                .isEmpty();
        assertThat(output)
                .as("initdb's output and the server's own log go to data/postgres.log")
                .doesNotContain("The files belonging to this database system")
                .doesNotContain("databasechangeloglock")
                .doesNotContain("\tat ");
        assertThat(output)
                .as("the schema inspection at start finds every field served and every mapping used")
                .contains("Unmapped fields: {}")
                .contains("Unmapped registrations: {}")
                .contains("Unmapped arguments: {}")
                .contains("Skipped types: []");
        assertThat(temp.resolve("data").resolve("postgres.log"))
                .content()
                .contains("The files belonging to this database system");

        Matcher token = TOKEN.matcher(output);
        assertThat(token.find()).as(output).isTrue();
        HttpResponse<String> answer = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(base + "/graphql?query="
                                        + URLEncoder.encode(
                                                "{ widgets(first: 1) { edges { cursor } } }", StandardCharsets.UTF_8)))
                                .header("Authorization", "Bearer " + token.group(1))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body()).startsWith("{\"data\":{\"widgets\":{\"edges\":[]}}");
    }

    /** The console up to the end of the first-start token block, which comes once the service is ready. */
    private String awaitTheToken(Path console) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline && service.isAlive()) {
            String output = Files.readString(console);
            int block = output.indexOf("First start: this is the admin token");
            if (block >= 0 && output.indexOf("=".repeat(100), block) >= 0) {
                return output;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the service did not print its first-start token:\n" + Files.readString(console));
    }

    /** The test's class path without the test classes and test jars: the service as packaged. */
    private static String mainClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.endsWith("test-classes") && !entry.endsWith("-tests.jar"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    @AfterEach
    void stop() throws Exception {
        if (service == null) {
            return;
        }
        service.destroy(); // SIGTERM: the service stops its PostgreSQL on the way out
        if (!service.waitFor(30, TimeUnit.SECONDS)) {
            service.destroyForcibly();
        }
        Path pid = temp.resolve("data").resolve("postgres").resolve("postmaster.pid");
        if (Files.exists(pid)) {
            long postmaster = Long.parseLong(Files.readAllLines(pid).get(0).trim());
            ProcessHandle.of(postmaster).ifPresent(ProcessHandle::destroy);
        }
    }
}
