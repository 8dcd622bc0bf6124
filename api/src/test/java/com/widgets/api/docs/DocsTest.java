package com.widgets.api.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.widgets.api.Fixtures;
import com.widgets.api.live.Subscribers;
import com.widgets.db.testing.WiringDatabase;
import com.widgets.ingest.rewire.RewiringJob;
import com.widgets.ingest.rewire.RewiringJobs;
import com.widgets.ingest.rewire.RewiringStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;

/**
 * The code blocks of the README and of {@code docs/} run against a service of the test's own, so the docs cannot
 * rot: each file from the top, in order, on a database emptied before it (jobs too: a file's first upload is job 1),
 * as a reader's first run is. {@code sh} blocks run in bash with {@code TOKEN} set and {@code localhost:8080} pointed
 * at the service, and must succeed without GraphQL errors; {@code graphql} blocks run operation by operation. A block
 * the test cannot run fails it unless the line before says {@code <!-- not run: why -->}; {@code <!-- shows an error:
 * TEXT -->} and {@code <!-- in the background, until it prints: TEXT -->} mark the two other ways a block runs.
 */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "the docs' sh blocks run in bash with curl")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext // a database server of its own, not needed once the docs have run
class DocsTest {

    /** The repository: Surefire runs the api module's tests in {@code api/}, an IDE perhaps at the top. */
    private static final Path REPOSITORY = repository(Path.of("").toAbsolutePath());

    private static final Path OWN = REPOSITORY.resolve("api").resolve("target").resolve("docs-test");
    private static final Duration BLOCK_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration SETTLE = Duration.ofSeconds(10);

    private static Path repository(Path dir) {
        for (Path at = dir; at != null; at = at.getParent()) {
            if (Files.isRegularFile(at.resolve("README.md")) && Files.isDirectory(at.resolve("docs"))) {
                return at;
            }
        }
        throw new IllegalStateException("no README.md with a docs/ folder beside it in " + dir + " or above");
    }

    @DynamicPropertySource
    static void aDatabaseOfItsOwn(DynamicPropertyRegistry settings) {
        FileSystemUtils.deleteRecursively(OWN.toFile());
        settings.add("widgets.embedded.data-dir", () -> OWN.resolve("postgres").toString());
        settings.add("widgets.rewiring.upload-dir", () -> OWN.resolve("uploads").toString());
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    RewiringJobs jobs;

    @Autowired
    ApplicationContext service;

    @BeforeAll
    static void bashAndCurl() throws InterruptedException {
        for (List<String> command : List.of(List.of("bash", "--version"), List.of("curl", "--fail-with-body", "-V"))) {
            try {
                Process process = new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
                if (process.waitFor() != 0) {
                    fail("'" + String.join(" ", command) + "' failed: the docs' sh blocks need curl 7.76 or newer");
                }
            } catch (IOException e) {
                fail(
                        "The docs' sh blocks run in bash with curl (7.76 or newer), and '" + command.get(0)
                                + "' is not on the PATH: install it (apt-get install bash curl)",
                        e);
            }
        }
    }

    static Stream<String> files() throws IOException {
        List<String> files = new ArrayList<>(List.of("README.md"));
        try (Stream<Path> docs = Files.list(REPOSITORY.resolve("docs"))) {
            docs.map(doc -> "docs/" + doc.getFileName())
                    .filter(doc -> doc.endsWith(".md"))
                    .sorted()
                    .forEach(files::add);
        }
        return files.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void codeBlocksRunInOrderOnAnEmptyDatabase(String file, @TempDir Path dir) throws Exception {
        List<DocBlock> blocks = DocBlock.of(file, Files.readString(REPOSITORY.resolve(file)));
        assertThat(blocks.stream()
                        .flatMap(block -> block.whyItCannotRun().map(why -> block.where() + ": " + why).stream())
                        .toList())
                .as("blocks the test cannot run: make each runnable, or say why it is not with <!-- not run: why -->"
                        + " on the line before it")
                .isEmpty();
        emptyDatabase();
        FileSystemUtils.copyRecursively(REPOSITORY.resolve("samples"), dir.resolve("samples"));

        GraphQlBlock graphQl = new GraphQlBlock(port, Fixtures.ADMIN_TOKEN, service);
        List<BashBlock> background = new ArrayList<>();
        try {
            for (DocBlock block : blocks) {
                if (block.run() == DocBlock.Run.NOT) {
                    continue;
                }
                if (block.isGraphQl()) {
                    check(block, graphQl.run(block));
                } else if (block.run() == DocBlock.Run.IN_THE_BACKGROUND) {
                    background.add(startInTheBackground(block, dir));
                } else {
                    run(block, dir);
                }
            }
            for (BashBlock running : background) {
                awaitItsText(running);
            }
        } finally {
            background.forEach(BashBlock::close);
        }
    }

    private void run(DocBlock block, Path dir) throws Exception {
        try (BashBlock bash = BashBlock.start(block, dir, Fixtures.ADMIN_TOKEN, port)) {
            int exit = bash.await(BLOCK_TIMEOUT);
            String output = bash.output();
            if (block.run() == DocBlock.Run.SHOWING_AN_ERROR) {
                assertThat(output).as("%s shows an error", block.where()).contains(block.note());
                return;
            }
            assertThat(exit)
                    .as("%s exited with %d:%n%s", block.where(), exit, output)
                    .isZero();
            assertThat(output)
                    .as("%s got GraphQL errors:%n%s", block.where(), output)
                    .doesNotContain("\"errors\"");
        }
    }

    /** Starts the block, and lets the next ones run once it listens (the service counts one more subscriber). */
    private BashBlock startInTheBackground(DocBlock block, Path dir) throws Exception {
        long before = Subscribers.count(service);
        BashBlock bash = BashBlock.start(block, dir, Fixtures.ADMIN_TOKEN, port);
        try {
            await().atMost(SETTLE)
                    .until(() -> !bash.isRunning()
                            || Subscribers.count(service) > before
                            || !bash.output().isEmpty());
        } catch (ConditionTimeoutException e) {
            // not a subscription, or a slow one: what it prints by the end decides
        }
        assertThat(bash.isRunning())
                .as("%s ended instead of running in the background:%n%s", block.where(), bash.output())
                .isTrue();
        return bash;
    }

    private void awaitItsText(BashBlock bash) throws Exception {
        DocBlock block = bash.block();
        try {
            await().atMost(SETTLE).until(() -> bash.output().contains(block.note()));
        } catch (ConditionTimeoutException e) {
            fail("%s did not print %s:%n%s", block.where(), block.note(), bash.output());
        }
        assertThat(bash.output()).as("%s got GraphQL errors", block.where()).doesNotContain("\"errors\"");
    }

    private static void check(DocBlock block, List<GraphQlBlock.Answer> answers) {
        if (block.run() == DocBlock.Run.SHOWING_AN_ERROR) {
            assertThat(answers)
                    .as("%s shows an error", block.where())
                    .anySatisfy(answer -> assertThat(answer.body()).contains(block.note()));
            return;
        }
        for (GraphQlBlock.Answer answer : answers) {
            assertThat(answer.error())
                    .as("%s: %s%n%s", block.where(), answer.operation(), answer.body())
                    .isFalse();
        }
    }

    /** No wiring and no rewiring job, once the jobs of the previous file have ended; job ids start again at 1. */
    private void emptyDatabase() throws InterruptedException {
        for (RewiringJob job : jobs.list(1000)) {
            RewiringJob ended = jobs.await(job.id(), BLOCK_TIMEOUT);
            assertThat(ended.status()).as("job %d", job.id()).isNotIn(RewiringStatus.RUNNING, RewiringStatus.PENDING);
        }
        new WiringDatabase(jdbc).reset();
        jdbc.execute("TRUNCATE rewiring_reject, rewiring_inbox_claim, rewiring_job_holder, rewiring_job_progress,"
                + " batch_step_execution_context, batch_job_execution_context, batch_step_execution,"
                + " batch_job_execution_params, batch_job_execution, batch_job_instance");
        for (String sequence :
                List.of("batch_job_instance_seq", "batch_job_execution_seq", "batch_step_execution_seq")) {
            jdbc.execute("ALTER SEQUENCE " + sequence + " RESTART");
        }
    }
}
