package com.widgets.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.ingest.cli.IngestCommandLine;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command-line runner in this JVM, against the same embedded database (the test settings apply to it too). */
class CommandLineTest extends JobTestSupport {

    @TempDir
    Path temp;

    @Test
    void exitsZeroWhenTheJobCompletesEvenWithRejects() {
        assertThat(IngestCommandLine.run("--file=" + resource("every-code.csv")))
                .isZero();
        assertThat(db.count("SELECT count(*) FROM widget")).isEqualTo(4);
    }

    @Test
    void exitsOneWhenTheJobFails() {
        assertThat(IngestCommandLine.run("--file=" + resource("every-code.csv"), "--mode=atomic"))
                .isEqualTo(1);
        assertThat(IngestCommandLine.run("--file=" + resource("rules/unknown-column.csv")))
                .isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM widget")).isZero();
    }

    @Test
    void exitsTwoOnAUsageError() {
        assertThat(IngestCommandLine.run()).isEqualTo(2);
        assertThat(IngestCommandLine.run("--file=" + resource("every-code.csv"), "--mode=sideways"))
                .isEqualTo(2);
        assertThat(IngestCommandLine.run("--file=" + temp.resolve("missing.csv")))
                .isEqualTo(2);
    }

    @Test
    void dryRunAndExportFromTheCommandLine() throws Exception {
        assertThat(IngestCommandLine.run("--file=" + resource("rules/target-state.csv"), "--mode=dry-run"))
                .isZero();
        assertThat(db.count("SELECT count(*) FROM widget")).isZero();
        assertThat(IngestCommandLine.run("--file=" + resource("rules/target-state.csv")))
                .isZero();

        Path exported = temp.resolve("state.csv");
        assertThat(IngestCommandLine.run("--export=" + exported)).isZero();

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
