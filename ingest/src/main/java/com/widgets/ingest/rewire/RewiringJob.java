package com.widgets.ingest.rewire;

import java.time.Instant;

/**
 * A rewiring job as the API shows it.
 *
 * @param id the job id, also written in its history rows
 * @param fileName the file's name (without its directory)
 * @param totalLines the file's records, once counted (null before)
 * @param opsPerSecond lines judged per second while it ran (null before it started)
 * @param secondsLeft the estimated time to the end while it runs, from its rate so far (null otherwise)
 * @param message why it failed, when it did
 */
public record RewiringJob(
        long id,
        RewiringStatus status,
        RewiringMode mode,
        String fileName,
        Counts counts,
        Long totalLines,
        Double opsPerSecond,
        Double secondsLeft,
        Instant startedAt,
        Instant endedAt,
        String message) {}
