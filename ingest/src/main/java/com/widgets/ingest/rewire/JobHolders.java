package com.widgets.ingest.rewire;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedRateTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;

/**
 * Records in {@code rewiring_job_holder} which process holds each job it took on — running it, or keeping it queued
 * for a free slot — and refreshes that every {@link #BEAT} while the process lives. Spring Batch alone cannot tell a
 * job another replica runs (or queues) for hours from one whose process died: its job execution is written when the
 * job starts and ends, not in between. A holder not heard from for {@link #TIMEOUT} is taken for dead.
 */
public class JobHolders implements SchedulingConfigurer {

    static final Duration BEAT = Duration.ofSeconds(10);
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static final Logger log = LoggerFactory.getLogger(JobHolders.class);

    private static final String HOLD = """
            INSERT INTO rewiring_job_holder (job_id, holder) VALUES (?, ?)
            ON CONFLICT (job_id) DO UPDATE SET holder = EXCLUDED.holder, seen_at = now()
            """;
    private static final String RELEASE = "DELETE FROM rewiring_job_holder WHERE job_id = ? AND holder = ?";
    private static final String BEAT_HELD =
            "UPDATE rewiring_job_holder SET seen_at = now() WHERE holder = ? AND job_id = ANY(?::bigint[])";
    private static final String DROP_ENDED =
            "DELETE FROM rewiring_job_holder WHERE holder = ? AND job_id <> ALL(?::bigint[])";
    private static final String HELD_ELSEWHERE = """
            SELECT EXISTS (SELECT 1 FROM rewiring_job_holder
                            WHERE job_id = ? AND holder <> ? AND seen_at > now() - make_interval(secs => ?))
            """;

    private final JdbcTemplate jdbc;
    private final String name;
    private final Supplier<Set<Long>> held;

    /**
     * @param held the jobs this process holds now; a beat refreshes their rows and drops this holder's other rows
     */
    JobHolders(JdbcTemplate jdbc, Supplier<Set<Long>> held) {
        this.jdbc = jdbc;
        this.name = processName();
        this.held = held;
    }

    /** A name for this process among the replicas: host, process id and a random part (two contexts, two names). */
    public static String processName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "unknown-host";
        }
        return host + "/" + ProcessHandle.current().pid() + "/"
                + UUID.randomUUID().toString().substring(0, 8);
    }

    String name() {
        return name;
    }

    /** This process took the job on. */
    void hold(long jobId) {
        jdbc.update(HOLD, jobId, name);
    }

    /** This process is done with the job. */
    void release(long jobId) {
        jdbc.update(RELEASE, jobId, name);
    }

    /** Whether another process holds the job and was heard from within {@link #TIMEOUT}. */
    boolean heldElsewhere(long jobId) {
        return Boolean.TRUE.equals(
                jdbc.queryForObject(HELD_ELSEWHERE, Boolean.class, jobId, name, (double) TIMEOUT.toSeconds()));
    }

    /** Says this process is alive for every job it holds, and lets go of any row a missed release left behind. */
    void beat() {
        Long[] ids = held.get().toArray(Long[]::new);
        jdbc.update(BEAT_HELD, name, ids);
        jdbc.update(DROP_ENDED, name, ids);
    }

    private void beatQuietly() {
        try {
            beat();
        } catch (RuntimeException e) {
            log.warn("Could not refresh this process's rewiring jobs in rewiring_job_holder: {}", e.getMessage());
        }
    }

    /**
     * The beat runs at a fixed rate on the application's task scheduler: unlike fixed-delay tasks, which share one
     * thread on Spring's virtual-thread scheduler, it never waits behind a long task such as a history prune.
     */
    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        registrar.addFixedRateTask(new FixedRateTask(this::beatQuietly, BEAT, BEAT));
    }
}
