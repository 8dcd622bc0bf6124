package com.widgets.ingest.rewire;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the rewiring job.
 *
 * @param chunkSize lines per chunk: one read, one check-and-set write and one commit each
 * @param actor who history rows name as the author of a job's changes, unless the submitter names someone
 * @param inbox a directory whose files are picked up and run; unset turns the pickup off
 * @param schedule when to look in the inbox (a Spring cron expression: second minute hour day month weekday)
 * @param maxRunningJobs jobs this process runs at once; later ones wait, PENDING, in submission order
 * @param atomicMaxLines the largest file an atomic job takes: its write holds the locks of every port it changes
 *     until the whole file is written
 * @param maxDecompressedSize the most a gzip-compressed file may decompress to; a bigger one (a gzip bomb) is refused
 *     before any job runs it, as soon as decompressing it gets that far
 * @param writers connections an apply-mode job writes a chunk with: 2 writes the halves of a big chunk side by side
 *     when they touch no row in common (and a slot of {@code maxRunningJobs} is free for the second), 1 never
 */
@ConfigurationProperties("widgets.ingest")
public record IngestProperties(
        @DefaultValue("5000") int chunkSize,
        @DefaultValue("rewiring-job") String actor,
        Path inbox,
        @DefaultValue("*/30 * * * * *") String schedule,
        @DefaultValue("4") int maxRunningJobs,
        @DefaultValue("100000") long atomicMaxLines,
        @DefaultValue("4GB") DataSize maxDecompressedSize,
        @DefaultValue("2") int writers) {

    public IngestProperties {
        if (chunkSize < 1 || chunkSize > 100_000) {
            throw new IllegalArgumentException("widgets.ingest.chunk-size must be between 1 and 100000");
        }
        if (atomicMaxLines < 1) {
            throw new IllegalArgumentException("widgets.ingest.atomic-max-lines must be at least 1");
        }
        if (maxDecompressedSize.toBytes() < 1) {
            throw new IllegalArgumentException("widgets.ingest.max-decompressed-size must be positive");
        }
        if (maxRunningJobs < 1 || maxRunningJobs > 64) {
            throw new IllegalArgumentException("widgets.ingest.max-running-jobs must be between 1 and 64");
        }
        if (writers < 1 || writers > 2) {
            throw new IllegalArgumentException("widgets.ingest.writers must be 1 or 2");
        }
    }
}
