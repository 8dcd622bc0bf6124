package com.widgets.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.widgets.db.testing.WiringDatabase;
import com.widgets.ingest.rewire.RewiringJob;
import com.widgets.ingest.rewire.RewiringJobs;
import com.widgets.ingest.rewire.RewiringMode;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

/** Runs real rewiring jobs on real files against the embedded PostgreSQL, and reads back what they did. */
@SpringBootTest(classes = IngestTestApplication.class)
public abstract class JobTestSupport {

    @Autowired
    protected RewiringJobs jobs;

    @Autowired
    protected JdbcTemplate jdbc;

    protected WiringDatabase db;

    @BeforeEach
    void emptyDatabase() {
        db = new WiringDatabase(jdbc);
        db.reset();
        jdbc.execute("TRUNCATE rewiring_reject, rewiring_inbox_claim");
    }

    protected static Path resource(String name) {
        try {
            return Path.of(JobTestSupport.class.getResource("/files/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    protected RewiringJob run(Path file, RewiringMode mode) {
        long id = jobs.submit(file, mode);
        return awaitEnd(id);
    }

    protected RewiringJob awaitEnd(long id) {
        try {
            return jobs.await(id, Duration.ofMinutes(5));
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    protected String report(long id) {
        StringWriter out = new StringWriter();
        jobs.rejects(id, out);
        return out.toString();
    }

    protected static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    protected void assertSound() {
        assertThat(db.invariantViolations()).isEmpty();
        assertThat(db.replayHistory()).isEqualTo(db.snapshot());
    }
}
