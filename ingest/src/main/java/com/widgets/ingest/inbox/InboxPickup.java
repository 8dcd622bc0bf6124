package com.widgets.ingest.inbox;

import com.widgets.ingest.rewire.RewiringJob;
import com.widgets.ingest.rewire.RewiringJobs;
import com.widgets.ingest.rewire.RewiringMode;
import com.widgets.ingest.rewire.RewiringStatus;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Runs each rewiring file dropped into the inbox exactly once, however many replicas look: a replica runs a file only
 * after its row in {@code rewiring_inbox_claim} (keyed by name, size and modification time) was inserted by it. The
 * file then moves to {@code done/} or {@code failed/}, with its reject report beside it.
 */
public class InboxPickup {

    private static final Logger log = LoggerFactory.getLogger(InboxPickup.class);
    private static final String CLAIM = """
            INSERT INTO rewiring_inbox_claim (file_name, file_size, file_modified, claimed_by)
            VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING
            """;

    private final Path inbox;
    private final RewiringJobs jobs;
    private final JdbcTemplate jdbc;
    private final String replica;

    public InboxPickup(Path inbox, RewiringJobs jobs, JdbcTemplate jdbc, String replica) {
        this.inbox = inbox;
        this.jobs = jobs;
        this.jdbc = jdbc;
        this.replica = replica;
    }

    /** Runs every file in the inbox that no replica claimed yet, one after another; returns the jobs it ran. */
    public synchronized List<Long> pickUp() {
        List<Long> ran = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(inbox)) {
            for (Path file : entries) {
                if (Files.isRegularFile(file)
                        && isRewiringFile(file.getFileName().toString())) {
                    files.add(file);
                }
            }
        } catch (IOException e) {
            log.warn("Cannot list the inbox {}: {}", inbox, e.getMessage());
            return ran;
        }
        files.sort(null);
        for (Path file : files) {
            try {
                long size = Files.size(file);
                long modified = Files.getLastModifiedTime(file).toMillis();
                if (jdbc.update(CLAIM, file.getFileName().toString(), size, modified, replica) == 1) {
                    ran.add(run(file));
                }
            } catch (NoSuchFileException e) {
                // another replica ran it and moved it away since we listed the inbox
            } catch (IOException | RuntimeException e) {
                log.warn("Inbox file {} was not run: {}", file, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ran;
            }
        }
        return ran;
    }

    private long run(Path file) throws IOException, InterruptedException {
        long id = jobs.submit(file, RewiringMode.APPLY);
        jdbc.update(
                "UPDATE rewiring_inbox_claim SET job_id = ? WHERE file_name = ? AND claimed_by = ?",
                id,
                file.getFileName().toString(),
                replica);
        RewiringJob job = jobs.await(id, Duration.ofDays(1));
        Path target = inbox.resolve(job.status() == RewiringStatus.COMPLETED ? "done" : "failed");
        Files.createDirectories(target);
        String name = file.getFileName().toString();
        try (Writer report = Files.newBufferedWriter(target.resolve(name + ".rejects.csv"), StandardCharsets.UTF_8)) {
            jobs.rejects(id, report);
        }
        Files.move(file, target.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        log.info("Inbox file {} ran as job {}: {} {}", name, id, job.status(), job.counts());
        return id;
    }

    private static boolean isRewiringFile(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.startsWith(".")) {
            return false;
        }
        if (n.endsWith(".gz")) {
            n = n.substring(0, n.length() - 3);
        }
        return n.endsWith(".csv") || n.endsWith(".ndjson") || n.endsWith(".jsonl");
    }
}
