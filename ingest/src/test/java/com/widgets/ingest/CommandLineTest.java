package com.widgets.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.db.testing.TestDatabases;
import com.widgets.ingest.cli.IngestCommandLine;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.env.Environment;

/** The command-line runner in this JVM, against the same embedded database (the test settings apply to it too). */
@ExtendWith(OutputCaptureExtension.class)
class CommandLineTest extends JobTestSupport {

    @TempDir
    Path temp;

    @Autowired
    Environment environment;

    /** The runner with its reject report in the temporary directory rather than beside the test resources. */
    private int run(String... args) {
        String[] all = Arrays.copyOf(args, args.length + 1);
        all[args.length] = "--rejects=" + temp.resolve("rejects.csv");
        return cli(all);
    }

    /** The runner on this test's database (the shared embedded one, or the Citus lane's). */
    private int cli(String... args) {
        return IngestCommandLine.run(withDatabase(args));
    }

    private static String[] withArgs(List<String> database, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(database);
        return all.toArray(String[]::new);
    }

    private String[] withDatabase(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(TestDatabases.sameDatabaseArgs(environment));
        return all.toArray(String[]::new);
    }

    @Test
    void exitsZeroWhenTheJobCompletesEvenWithRejects() {
        assertThat(run("--file=" + resource("every-code.csv"))).isZero();
        assertThat(db.count("SELECT count(*) FROM widget")).isEqualTo(4);
    }

    @Test
    void exitsOneWhenTheJobFails() {
        assertThat(run("--file=" + resource("every-code.csv"), "--mode=atomic")).isEqualTo(1);
        assertThat(run("--file=" + resource("rules/unknown-column.csv"))).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM widget")).isZero();
    }

    @Test
    void exitsTwoOnAUsageError() {
        assertThat(cli()).isEqualTo(2);
        assertThat(cli("--file=" + resource("every-code.csv"), "--mode=sideways"))
                .isEqualTo(2);
        assertThat(cli("--file=" + temp.resolve("missing.csv"))).isEqualTo(2);
        assertThat(cli("--export=" + temp.resolve("x.csv"), "--rejects=" + temp.resolve("r.csv")))
                .isEqualTo(2);
    }

    @Test
    void migrateReadiesAnEmptyDatabaseForRunsWithMigrationsOff(CapturedOutput output) {
        List<String> own = TestDatabases.ownDatabaseArgs("migrate", temp.resolve("postgres"));
        String[] export = withArgs(own, "--export=" + temp.resolve("state.csv"), "--spring.liquibase.enabled=false");

        assertThat(IngestCommandLine.run(withArgs(own, "--migrate"))).isZero();
        assertThat(IngestCommandLine.run(export)).isZero();
        assertThat(IngestCommandLine.run(withArgs(own, "--migrate")))
                .as("again: nothing to do")
                .isZero();

        assertThat(output.getOut()).contains("The database is migrated.");
    }

    @Test
    void migrateWithMigrationsOffIsAUsageError(CapturedOutput output) {
        assertThat(cli("--migrate", "--spring.liquibase.enabled=false")).isEqualTo(2);
        assertThat(cli("--migrate", "--export=" + temp.resolve("x.csv"))).isEqualTo(2);

        assertThat(output.getOut()).contains("nothing was migrated");
    }

    @Test
    void helpPrintsTheUsageAndExitsZero(CapturedOutput output) {
        assertThat(cli("--help")).isZero();
        assertThat(cli("-h")).isZero();
        assertThat(cli("--file=" + resource("every-code.csv"), "--help")).isZero();

        assertThat(output.getOut())
                .contains("usage: java -jar widgets-ingest.jar --file=FILE")
                .contains("--rejects=REPORT")
                .contains("FILE.rejects.csv beside the file")
                .doesNotContain("ERROR");
        assertThat(db.count("SELECT count(*) FROM widget")).as("nothing ran").isZero();
    }

    @Test
    void aRunWritesItsRejectReportBesideTheFileAndSaysWhere(CapturedOutput output) throws Exception {
        Path file = Files.copy(resource("every-code.csv"), temp.resolve("every-code.csv"));

        assertThat(cli("--file=" + file)).isZero();

        Path report = temp.resolve("every-code.csv.rejects.csv");
        assertThat(Files.readAllLines(report)).containsExactlyElementsOf(lines(resource("every-code.rejects.csv")));
        assertThat(output.getOut()).contains("rejected 15").contains("reject report: " + report);
    }

    @Test
    void rejectsNamesAnotherPlaceForTheReport(CapturedOutput output) throws Exception {
        Path report = temp.resolve("reports/today.csv");
        Files.createDirectories(report.getParent());

        assertThat(cli("--file=" + resource("every-code.csv"), "--rejects=" + report))
                .isZero();

        assertThat(Files.readAllLines(report)).containsExactlyElementsOf(lines(resource("every-code.rejects.csv")));
        assertThat(output.getOut()).contains("reject report: " + report);
    }

    @Test
    void aFileNoJobCouldReadExitsOneWithItsCodeInTheReportNamingTheFileOnly(CapturedOutput output) throws Exception {
        Path file = Files.writeString(temp.resolve("plain.csv.gz"), "op,serial_number\nremove,X\n");

        assertThat(cli("--file=" + file)).isEqualTo(1);

        assertThat(Files.readAllLines(temp.resolve("plain.csv.gz.rejects.csv")))
                .hasSize(2)
                .element(1)
                .asString()
                .startsWith("1,NOT_GZIP,\"plain.csv.gz is not gzip-compressed")
                .doesNotContain(temp.toString());
        assertThat(output.getOut())
                .contains("FAILED: plain.csv.gz is not gzip-compressed")
                .doesNotContain("\tat ");
    }

    @Test
    void onATerminalTheProgressBarKeepsItsLine(CapturedOutput output) throws Exception {
        LoggingSystem logging = LoggingSystem.get(getClass().getClassLoader());
        LogLevel before =
                logging.getLoggerConfiguration(LoggingSystem.ROOT_LOGGER_NAME).getEffectiveLevel();
        StringWriter terminal = new StringWriter();
        Path file = Files.copy(resource("every-code.csv"), temp.resolve("every-code.csv"));
        int logged = output.getOut().length();
        int exit;
        try {
            exit = IngestCommandLine.run(new PrintWriter(terminal, true), withDatabase("--file=" + file));
        } finally {
            logging.setLogLevel(LoggingSystem.ROOT_LOGGER_NAME, before); // this JVM's other tests log on
        }

        assertThat(exit).isZero();
        assertThat(output.getOut().substring(logged))
                .as("nothing but the bar on the terminal while it runs")
                .doesNotContain(" INFO ");
        String[] lines = terminal.toString().split(System.lineSeparator());
        assertThat(lines).hasSize(2);
        assertThat(lines[0])
                .startsWith("\r[")
                .contains("\r[##############################] 100% 24/24 lines, 15 rejected");
        assertThat(lines[1])
                .startsWith("Rewiring job ")
                .contains("COMPLETED: read 24, applied 6, unchanged 3, rejected 15")
                .endsWith("reject report: " + temp.resolve("every-code.csv.rejects.csv"));
    }

    @Test
    void dryRunAndExportFromTheCommandLine() throws Exception {
        assertThat(run("--file=" + resource("rules/target-state.csv"), "--mode=dry-run"))
                .isZero();
        assertThat(db.count("SELECT count(*) FROM widget")).isZero();
        assertThat(run("--file=" + resource("rules/target-state.csv"))).isZero();

        Path exported = temp.resolve("state.csv");
        assertThat(cli("--export=" + exported)).isZero();

        assertThat(Files.readAllLines(exported))
                .containsExactly(
                        "op,serial_number,port,peer_serial_number,peer_port,name,ports",
                        "add,A,,,,Widget A,PRQ",
                        "add,B,,,,Widget B,PQ",
                        "add,C,,,,Widget C,R",
                        "link,A,P,B,Q,,",
                        "link,A,Q,C,R,,");
    }
}
