package com.widgets.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.ingest.export.StateExport;
import com.widgets.ingest.rewire.Counts;
import com.widgets.ingest.rewire.RewiringJob;
import com.widgets.ingest.rewire.RewiringMode;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * CSV injection: a name or line a spreadsheet would run as a formula ({@code =cmd()}, {@code +1}, {@code -2},
 * {@code @SUM(A1)}) comes back in reject reports and exports with an apostrophe in front, and an export still imports
 * as the very wiring it was taken from.
 */
class CsvInjectionTest extends JobTestSupport {

    @Autowired
    StateExport export;

    @TempDir
    Path temp;

    @Test
    void formulasComeBackNeutralisedInReportsAndExportsAndImportUnchanged() throws IOException {
        Path file = temp.resolve("formulas.csv");
        Files.writeString(file, """
                op,serial_number,port,peer_serial_number,peer_port,name,ports
                add,F-1,,,,=cmd(),P
                add,-2,,,,+1,Q
                add,F-3,,,,'@SUM(A1),R
                add,F-4,,,,"=HYPERLINK(""http://x"",""y"")",P
                link,F-1,P,-2,Q,,
                =cmd(),F-1,,,,,
                add,F-1,,,,-other,P
                """, StandardCharsets.UTF_8);

        RewiringJob job = run(file, RewiringMode.APPLY);

        assertThat(job.counts()).isEqualTo(new Counts(7, 5, 0, 2));
        assertThat(db.snapshot())
                .containsEntry("F-1.P", "=cmd() -> -2.Q")
                .containsEntry("-2.Q", "+1 -> F-1.P")
                // an apostrophe before a formula is the escape itself, as an export writes it: read as @SUM(A1)
                .containsEntry("F-3.R", "@SUM(A1) -> .")
                .containsEntry("F-4.P", "=HYPERLINK(\"http://x\",\"y\") -> .");
        assertThat(report(job.id()).lines())
                .containsExactly(
                        "line,code,message,raw",
                        "7,MALFORMED_LINE,\"Line 7 has an unknown op '=cmd()'; use link, unlink, add or remove.\","
                                + "\"'=cmd(),F-1,,,,,\"",
                        "8,WIDGET_EXISTS,Widget 'F-1' already exists with name '=cmd()' and ports P.,"
                                + "\"add,F-1,,,,-other,P\"");

        StringWriter exported = new StringWriter();
        export.write(exported);
        assertThat(exported.toString().lines())
                .contains(
                        "add,'-2,,,,'+1,Q",
                        "add,F-1,,,,'=cmd(),P",
                        "add,F-3,,,,'@SUM(A1),R",
                        "add,F-4,,,,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",P",
                        "link,'-2,Q,F-1,P,,");

        Map<String, String> state = db.snapshot();
        Path copy = temp.resolve("export.csv");
        Files.writeString(copy, exported.toString(), StandardCharsets.UTF_8);
        db.reset();
        assertThat(run(copy, RewiringMode.APPLY).counts().rejected()).isZero();
        assertThat(db.snapshot()).isEqualTo(state);
    }
}
