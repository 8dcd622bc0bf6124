package com.widgets.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The whole machine's CPU time from {@code /proc/stat}, read before and after a measured stretch: whether the service
 * and PostgreSQL (or a bound's connections) kept the cores busy, and how much CPU each line cost them all together.
 * On a machine the load is CPU-bound on, a job and its bound compare by CPU per line; where the cores sat idle, by
 * what kept them waiting. Null where there is no {@code /proc/stat} (not Linux).
 */
record MachineCpu(long busyTicks, long allTicks) {

    /** Linux's clock ticks a second ({@code USER_HZ}), which {@code /proc/stat} counts in on every architecture. */
    private static final double TICKS_PER_SECOND = 100;

    private static final Path STAT = Path.of("/proc/stat");

    /** Now, or null when the machine has no {@code /proc/stat}. */
    static MachineCpu now() {
        try {
            List<String> lines = Files.readAllLines(STAT);
            String[] f = lines.get(0).trim().split("\\s+"); // cpu user nice system idle iowait irq softirq steal …
            long user = Long.parseLong(f[1]), nice = Long.parseLong(f[2]), system = Long.parseLong(f[3]);
            long idle = Long.parseLong(f[4]), iowait = Long.parseLong(f[5]);
            long irq = Long.parseLong(f[6]), softirq = Long.parseLong(f[7]), steal = Long.parseLong(f[8]);
            long busy = user + nice + system + irq + softirq + steal;
            return new MachineCpu(busy, busy + idle + iowait);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The cores' busy time up to this reading, in seconds. */
    double busySeconds() {
        return busyTicks / TICKS_PER_SECOND;
    }

    /** What the machine's cores did from {@code start} to now, for {@code lines} lines; null if either is unknown. */
    static Usage since(MachineCpu start, long lines) {
        MachineCpu end = now();
        if (start == null || end == null || end.allTicks <= start.allTicks || lines <= 0) {
            return null;
        }
        double busySeconds = (end.busyTicks - start.busyTicks) / TICKS_PER_SECOND;
        double share = (double) (end.busyTicks - start.busyTicks) / (end.allTicks - start.allTicks);
        return new Usage(share, busySeconds * 1e6 / lines);
    }

    /**
     * @param busyShare the share of all cores' time spent busy (not idle or waiting for I/O)
     * @param microsPerLine busy CPU time of the whole machine per line, in microseconds
     */
    record Usage(double busyShare, double microsPerLine) {
        /** Like {@code "cores 91 % busy, 78 µs of CPU a line"}. */
        String text() {
            return String.format(
                    Locale.ROOT, "cores %.0f %% busy, %.0f µs of CPU a line", busyShare * 100, microsPerLine);
        }
    }
}
