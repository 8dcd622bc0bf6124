package com.widgets.bench;

import com.widgets.bench.load.ClosedLoop.Measured;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The figures of one run and the Markdown report they become. */
final class Results {

    private record Row(String group, String what, String value, String bound, String ratio) {}

    private record Goal(String goal, String measured, String verdict) {}

    private final String mode;
    private final String command;
    private final String service;
    private final int pool;
    private final List<Row> rows = new ArrayList<>();
    private final List<Goal> goals = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private String database = "?";

    /**
     * @param command the command line that produced the run
     * @param service how the harness started the service, without the settings every start gets (port, pool)
     */
    Results(String mode, String command, String service, int pool) {
        this.mode = mode;
        this.command = command;
        this.service = service;
        this.pool = pool;
    }

    /** What the service ran on: a version and how it was set up. */
    void database(String database) {
        this.database = database;
    }

    /** One more line of what the reader should know about the run, listed after the setup. */
    void note(String note) {
        notes.add(note);
    }

    void add(String group, String what, double value, String unit, Double bound, String boundWhat) {
        String ratio = bound == null ? "" : String.format(Locale.ROOT, "%.0f%%", 100 * value / bound);
        String b = bound == null ? "" : fmt(bound) + " (" + boundWhat + ")";
        rows.add(new Row(group, what, fmt(value) + " " + unit, b, ratio));
    }

    /** A row whose value and bound are already written out, for figures that are not one number. */
    void row(String group, String what, String value, String bound, String ratio) {
        rows.add(new Row(group, what, value, bound == null ? "" : bound, ratio == null ? "" : ratio));
    }

    void latency(String group, String what, Measured api, Measured bound, String boundWhat) {
        rows.add(new Row(
                group,
                what,
                measured(api),
                String.format(
                        Locale.ROOT,
                        "%s ops/s, p50 %.2f ms, p99 %.2f ms (%s)",
                        fmt(bound.opsPerSecond()),
                        bound.p50Millis(),
                        bound.p99Millis(),
                        boundWhat),
                String.format(Locale.ROOT, "%.0f%%", 100 * api.opsPerSecond() / bound.opsPerSecond())));
    }

    private static String measured(Measured m) {
        return String.format(
                Locale.ROOT,
                "%s ops/s, p50 %.2f ms, p99 %.2f ms%s",
                fmt(m.opsPerSecond()),
                m.p50Millis(),
                m.p99Millis(),
                m.errors() == 0 ? "" : ", " + m.errors() + " errors");
    }

    /** A figure whose raw bound could not be measured in this run, and why. */
    void latencyWithoutBound(String group, String what, Measured api, String why) {
        rows.add(new Row(group, what, measured(api), why, ""));
    }

    /**
     * A goal of the benchmark issue and how this run did against it.
     *
     * @param target the figure the goal asks for
     * @param value this run's figure
     * @param higherIsBetter whether the goal is a floor (throughput) rather than a ceiling (latency, time)
     */
    void goal(String goal, String measured, double target, double value, boolean higherIsBetter) {
        boolean met = higherIsBetter ? value >= target : value <= target;
        double factor = higherIsBetter ? target / value : value / target;
        String by = String.format(Locale.ROOT, factor < 2 ? "×%.2f" : "×%.1f", factor); // 1.01, not 1.0
        goals.add(new Goal(goal, measured, met ? "met" : Double.isFinite(factor) ? "missed " + by : "missed"));
    }

    /** A goal on the ratio of our figure to its bound: "0.29 (11,718 vs 39,819 lines/s)". */
    void ratioGoal(String goal, double ours, double bound, String unit, double target) {
        double ratio = ours / bound;
        goal(
                goal,
                String.format(Locale.ROOT, "%.2f (%,.0f vs %,.0f %s)", ratio, ours, bound, unit),
                target,
                ratio,
                true);
    }

    /** A goal the harness cannot judge yet: what it measured, and why there is no verdict. */
    void unmeasured(String goal, String measured) {
        goals.add(new Goal(goal, measured, "no verdict"));
    }

    private static String fmt(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    /** Replaces the embedded report in {@code file}; the sections of {@code --url} runs stay. */
    void write(Path file) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# Benchmark results (").append(mode).append(")\n\n");
        setup(md);
        table(md);
        goals(md, "##");
        ResultsFile.read(file).withMain(md.toString()).write(file);
    }

    /**
     * Replaces (or adds) the section of an external database in {@code file}, leaving the embedded report and other
     * sections as they are. No goals table: the goals are set for the embedded default.
     */
    void writeSection(Path file, String key, String heading, String caveat) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("## ").append(heading).append("\n\n");
        if (caveat != null) {
            md.append(caveat).append("\n\n");
        }
        setup(md);
        table(md);
        ResultsFile.read(file).withSection(key, md.toString()).write(file);
    }

    /**
     * Replaces (or adds) the section {@code key} opened by {@code marker}, with its own goals table: the live updates'
     * run ({@code bench/run live}), whose goals are its own.
     */
    void writeSection(Path file, String key, String marker, String heading, String intro) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("## ").append(heading).append("\n\n");
        if (intro != null) {
            md.append(intro).append("\n\n");
        }
        setup(md);
        table(md);
        goals(md, "###");
        ResultsFile.read(file).withSection(key, marker, md.toString()).write(file);
    }

    private void setup(StringBuilder md) {
        md.append("- command: `").append(command).append("`\n");
        md.append("- date: ").append(LocalDate.now()).append('\n');
        md.append("- machine: ")
                .append(Runtime.getRuntime().availableProcessors())
                .append(" cores, ")
                .append(memory())
                .append(" memory\n");
        md.append("- JDK: ")
                .append(System.getProperty("java.vm.name"))
                .append(' ')
                .append(System.getProperty("java.version"))
                .append('\n');
        md.append("- database: ").append(database).append('\n');
        md.append("- service: `")
                .append(service)
                .append("`, HikariCP pool ")
                .append(pool)
                .append("; load generator and raw bounds run in the harness JVM on the same machine\n");
        for (String note : notes) {
            md.append("- ").append(note).append('\n');
        }
        md.append('\n');
    }

    private void table(StringBuilder md) {
        md.append("| area | measured | value | raw bound, same run, same database | ratio |\n");
        md.append("|---|---|---|---|---|\n");
        for (Row r : rows) {
            md.append("| ")
                    .append(r.group())
                    .append(" | ")
                    .append(r.what())
                    .append(" | ")
                    .append(r.value())
                    .append(" | ")
                    .append(r.bound())
                    .append(" | ")
                    .append(r.ratio())
                    .append(" |\n");
        }
    }

    private void goals(StringBuilder md, String level) {
        if (goals.isEmpty()) {
            return;
        }
        md.append('\n').append(level).append(" Against the goals\n\n");
        md.append("Computed by the harness from the figures above. Why each miss happens, and the before/after\n");
        md.append("figures of every change made for these goals: [`PROFILE.md`](PROFILE.md).\n\n");
        md.append("| goal | measured | verdict |\n|---|---|---|\n");
        for (Goal g : goals) {
            md.append("| ")
                    .append(g.goal())
                    .append(" | ")
                    .append(g.measured())
                    .append(" | ")
                    .append(g.verdict())
                    .append(" |\n");
        }
    }

    private static String memory() {
        try {
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            return String.format(Locale.ROOT, "%.0f GiB", os.getTotalMemorySize() / 1073741824.0);
        } catch (RuntimeException e) {
            return "unknown";
        }
    }
}
