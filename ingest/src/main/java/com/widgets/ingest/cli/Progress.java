package com.widgets.ingest.cli;

import com.widgets.ingest.rewire.Counts;
import com.widgets.ingest.rewire.RewiringJob;
import java.io.PrintWriter;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shows a job's progress and outcome: a bar redrawn in place on a terminal, then the outcome printed below it; a plain
 * log line every few seconds otherwise (a CronJob's log), then the outcome as a log line.
 */
abstract class Progress {

    private static final Logger log = LoggerFactory.getLogger(Progress.class);

    /** A bar drawn on {@code terminal}, or log lines when there is none. */
    static Progress of(PrintWriter terminal) {
        return terminal != null ? new Bar(terminal) : new Lines();
    }

    abstract void show(RewiringJob job);

    /** The outcome, and where the reject report went (null: nowhere). */
    void done(RewiringJob job, Path rejects) {
        log.info(outcome(job, rejects));
    }

    static String outcome(RewiringJob job, Path rejects) {
        Counts c = job.counts();
        return String.format(
                "Rewiring job %d %s: read %d, applied %d, unchanged %d, rejected %d (%s lines/s)%s",
                job.id(),
                job.status(),
                c.read(),
                c.applied(),
                c.unchanged(),
                c.rejected(),
                job.opsPerSecond() == null ? "-" : Long.toString(Math.round(job.opsPerSecond())),
                rejects == null ? "" : "; reject report: " + rejects);
    }

    private static final class Bar extends Progress {
        private static final int WIDTH = 30;
        private final PrintWriter out;

        Bar(PrintWriter out) {
            this.out = out;
        }

        @Override
        void show(RewiringJob job) {
            long total = job.totalLines() == null ? 0 : job.totalLines();
            long read = job.counts().read();
            double share = total > 0 ? Math.min(1.0, (double) read / total) : 0;
            int filled = (int) Math.round(share * WIDTH);
            out.printf(
                    "\r[%s%s] %3d%% %,d/%,d lines, %,d rejected, %,.0f lines/s ",
                    "#".repeat(filled),
                    " ".repeat(WIDTH - filled),
                    Math.round(share * 100),
                    read,
                    total,
                    job.counts().rejected(),
                    job.opsPerSecond() == null ? 0.0 : job.opsPerSecond());
            out.flush();
        }

        @Override
        void done(RewiringJob job, Path rejects) {
            show(job);
            out.println();
            // On the terminal, not the log: while the bar shows only warnings are logged there.
            out.println(outcome(job, rejects));
            out.flush();
        }
    }

    private static final class Lines extends Progress {
        private long next;

        @Override
        void show(RewiringJob job) {
            long now = System.nanoTime();
            if (now < next) {
                return;
            }
            next = now + 5_000_000_000L;
            log.info(
                    "Rewiring job {}: {} of {} lines, {} rejected",
                    job.id(),
                    job.counts().read(),
                    job.totalLines() == null ? "?" : job.totalLines(),
                    job.counts().rejected());
        }
    }
}
