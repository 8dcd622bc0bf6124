package com.widgets.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.ingest.export.StateExport;
import com.widgets.ingest.rewire.Counts;
import com.widgets.ingest.rewire.RewiringJob;
import com.widgets.ingest.rewire.RewiringMode;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;

class ExportImportTest extends JobTestSupport {

    @Autowired
    StateExport export;

    @TempDir
    Path temp;

    @Test
    void anExportImportedIntoAnEmptyDatabaseReproducesTheState() throws IOException {
        run(GeneratedFiles.rewiring(temp.resolve("state.csv"), 1500, 4000, 3), RewiringMode.APPLY);
        run(resource("every-code.csv"), RewiringMode.APPLY); // odd names: quotes, commas, non-ASCII
        Map<String, String> state = db.snapshot();
        Path exported = temp.resolve("export.csv");
        try (Writer out = Files.newBufferedWriter(exported, StandardCharsets.UTF_8)) {
            export.write(out);
        }
        long links = db.count("SELECT count(*) FROM port WHERE peer_serial IS NOT NULL") / 2;
        long widgets = db.count("SELECT count(*) FROM widget");

        db.reset();
        RewiringJob imported = run(exported, RewiringMode.APPLY);
        RewiringJob again = run(exported, RewiringMode.APPLY);

        assertThat(imported.counts()).isEqualTo(new Counts(widgets + links, widgets + links, 0, 0));
        assertThat(db.snapshot()).isEqualTo(state);
        assertThat(again.counts()).isEqualTo(new Counts(widgets + links, 0, widgets + links, 0));
        assertThat(Files.readAllLines(exported).get(0))
                .isEqualTo("op,serial_number,port,peer_serial_number,peer_port,name,ports");
        assertSound();
    }

    @Test
    void anExportQuotesValuesAsTheRejectReportAndTheFilesDo() throws IOException {
        run(resource("every-code.csv"), RewiringMode.APPLY);
        Path exported = temp.resolve("export.csv");
        try (Writer out = Files.newBufferedWriter(exported, StandardCharsets.UTF_8)) {
            export.write(out);
        }

        // The very lines of the file that added them: quoted only where a comma or a quote needs it.
        assertThat(Files.readAllLines(exported))
                .contains("add,C,,,,\"Widget C, the \"\"third\"\"\",R", "add,S,,,,Widget ☃,Q", "link,A,P,B,Q,,");
    }
}
