package com.widgets.ingest.cli;

import com.widgets.ingest.rewire.Counts;
import com.widgets.ingest.rewire.RewiringJob;
import java.io.Console;
import java.io.PrintWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Shows a job's progress: a bar redrawn in place on a terminal, a plain log line every few seconds otherwise. */
abstract class Progress {

    private static final Logger log = LoggerFactory.getLogger(Progress.class);

    static Progress forThisTerminal() {
        Console console = System.console();
        return console != null ? new Bar(console.writer()) : new Lines();
    }

    abstract void show(RewiringJob job);

    void done(RewiringJob job) {
        Counts c = job.counts();
        log.info(
                "Rewiring job {} {}: read {}, applied {}, unchanged {}, rejected {} ({} lines/s)",
                job.id(),
                job.status(),
                c.read(),
                c.applied(),
                c.unchanged(),
                c.rejected(),
                job.opsPerSecond() == null ? "-" : Math.round(job.opsPerSecond()));
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
        void done(RewiringJob job) {
            show(job);
            out.println();
            out.flush();
            super.done(job);
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
