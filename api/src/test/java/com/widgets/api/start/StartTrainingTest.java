package com.widgets.api.start;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.api.WidgetsApiApplication;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training start writes widgets into the database it starts, so it only ever runs on a fresh data directory of its
 * own; the build's run of it (api/pom.xml, on every package) is its end-to-end test: it fails the build when a request
 * goes unanswered or the database is left running.
 */
class StartTrainingTest {

    @TempDir
    Path temp;

    @Test
    void refusesADataDirectoryThatHoldsAnything() throws Exception {
        Files.writeString(temp.resolve("PG_VERSION"), "17");

        assertThat(StartTraining.run(WidgetsApiApplication.class, "--widgets.embedded.data-dir=" + temp))
                .isEqualTo(2);
        try (var entries = Files.list(temp)) {
            assertThat(entries).hasSize(1);
        }
    }

    @Test
    void refusesToRunWithoutADataDirectory() {
        assertThat(StartTraining.run(WidgetsApiApplication.class, "--server.port=0"))
                .isEqualTo(2);
    }

    /**
     * The wait before the archive is written sees the compilers go idle (the JVM running the tests keeps compiling for
     * a while, then stops): a wait that could not read the queue, or never saw it empty, would answer false.
     */
    @Test
    void theCompilersGoIdleBeforeTheArchiveIsWritten() {
        assertThat(StartTraining.awaitIdleCompilers(java.time.Duration.ofSeconds(60)))
                .isTrue();
    }
}
