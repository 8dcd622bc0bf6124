package com.widgets.ingest.rewire;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.context.SmartLifecycle;

/**
 * Stops this process's rewiring jobs at a chunk boundary when it shuts down, so that the next start resumes them: the
 * first thing the shutdown does (the highest lifecycle phase), before the web server drains and long before the
 * database goes. Each job it runs or holds waiting is asked to stop as a user's stop asks, but marked with {@link
 * #MARK} as its exit description, which tells it from a job someone stopped on purpose: {@code recoverDeadJobs}
 * resumes the marked ones, here at the next start or on another replica at its next look. A job started while the
 * shutdown goes on is asked to stop at once. The shutdown waits for the jobs up to {@code
 * spring.lifecycle.timeout-per-shutdown-phase}; a job the process ends before it reached its chunk boundary is left
 * stopping with the mark, and resumes as a job whose process died does.
 */
class ShutdownStop implements SmartLifecycle {

    /** The exit description of a job stopped by a shutdown (while it stops, and once it stopped). */
    static final String MARK = "Stopped by its service's shutdown; it resumes when the service starts again.";

    private static final Logger log = LoggerFactory.getLogger(ShutdownStop.class);

    private final RewiringJobs jobs;
    private volatile boolean running;

    ShutdownStop(RewiringJobs jobs) {
        this.jobs = jobs;
    }

    /** Whether this execution was stopped, or is stopping, for a shutdown. */
    static boolean marks(JobExecution execution) {
        return MARK.equals(execution.getExitStatus().getExitDescription());
    }

    /** Also after a stop without a close (a paused test context, restarted): jobs run and resume as usual again. */
    @Override
    public void start() {
        jobs.reopen();
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        jobs.stopForShutdown();
    }

    /** Asks the jobs to stop, and reports the phase done once none runs here any more (or Spring stops waiting). */
    @Override
    public void stop(Runnable callback) {
        running = false;
        List<Long> stopping = jobs.stopForShutdown();
        if (stopping.isEmpty()) {
            callback.run();
            return;
        }
        log.info(
                "Stopping rewiring job(s) {} at their next chunk boundary; they resume when the service starts again",
                stopping);
        Thread waiter = new Thread(
                () -> {
                    jobs.awaitNoneHeld();
                    callback.run();
                },
                "rewiring-shutdown");
        waiter.setDaemon(true);
        waiter.start();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
