package com.widgets.bench.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * CPU time (user + system) processes have used so far, as the operating system reports it ({@link ProcessHandle.Info});
 * NaN where it does not (then every figure built on it is left out).
 */
public final class ProcessCpu {

    private ProcessCpu() {}

    /** One process's CPU time so far, in seconds. */
    public static double seconds(ProcessHandle process) {
        return process.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
    }

    /**
     * The CPU time so far of the PostgreSQL server whose data directory is {@code dataDir}: its postmaster (the pid in
     * {@code postmaster.pid}) and every process it started that is still running — backends, checkpointer, WAL writer.
     * A backend that ended since an earlier reading takes its time with it, so differences are a lower bound; over
     * a measurement whose connections stay open (pools) they miss only what autovacuum workers did.
     */
    public static double databaseSeconds(Path dataDir) {
        try {
            List<String> pidFile = Files.readAllLines(dataDir.resolve("postmaster.pid"));
            return ProcessHandle.of(Long.parseLong(pidFile.get(0).trim()))
                    .map(postmaster -> Stream.concat(Stream.of(postmaster), postmaster.children())
                            .mapToDouble(ProcessCpu::seconds)
                            .sum())
                    .orElse(Double.NaN);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** This harness's own CPU time so far, in seconds. */
    public static double harnessSeconds() {
        return seconds(ProcessHandle.current());
    }
}
