package com.widgets.ingest.rewire;

import java.net.InetAddress;
import java.time.Duration;
import java.time.OffsetDateTime;
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
 * job starts and ends, not in between. A holder not heard from for {@link #TIMEOUT} is taken for dead; so is, on the
 * embedded database, one last heard from before the database server started (every process that uses that server
 * connects to it, so none that did so earlier is alive).
 */
public class JobHolders implements SchedulingConfigurer {

    static final Duration BEAT = Duration.ofSeconds(10);
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static final Logger log = LoggerFactory.getLogger(JobHolders.class);

    private static final String HOLD = """
            INSERT INTO rewiring_job_holder (job_id, holder) VALUES (?, ?)
            ON CONFLICT (job_id) DO UPDATE SET holder = EXCLUDED.holder, seen_at = now()
            """;
    /** Check-and-set: of two processes claiming the same dead holder's job, the second finds it fresh and gets 0. */
    private static final String CLAIM = """
            INSERT INTO rewiring_job_holder (job_id, holder) VALUES (?, ?)
            ON CONFLICT (job_id) DO UPDATE SET holder = EXCLUDED.holder, seen_at = now()
             WHERE rewiring_job_holder.holder <> EXCLUDED.holder AND rewiring_job_holder.seen_at < ?
            """;

    private static final String DEAD_BEFORE = """
            SELECT GREATEST(now() - make_interval(secs => ?), CASE WHEN ? THEN pg_postmaster_start_time() END)
            """;
    private static final String HELD = """
            SELECT EXISTS (SELECT 1 FROM rewiring_job_holder
                            WHERE job_id = ? AND seen_at > now() - make_interval(secs => ?))
            """;
    private static final String RELEASE = "DELETE FROM rewiring_job_holder WHERE job_id = ? AND holder = ?";
    private static final String BEAT_HELD =
            "UPDATE rewiring_job_holder SET seen_at = now() WHERE holder = ? AND job_id = ANY(?::bigint[])";
    private static final String DROP_ENDED =
            "DELETE FROM rewiring_job_holder WHERE holder = ? AND job_id <> ALL(?::bigint[])";

    private final JdbcTemplate jdbc;
    private final String name;
    private final Supplier<Set<Long>> held;
    private final boolean embeddedServer;
    private final Duration timeout;

    /**
     * @param held the jobs this process holds now; a beat refreshes their rows and drops this holder's other rows
     * @param embeddedServer whether the database is the embedded server, which no process outlives as a client
     */
    JobHolders(JdbcTemplate jdbc, Supplier<Set<Long>> held, boolean embeddedServer) {
        this(jdbc, held, embeddedServer, TIMEOUT);
    }

    JobHolders(JdbcTemplate jdbc, Supplier<Set<Long>> held, boolean embeddedServer, Duration timeout) {
        this.jdbc = jdbc;
        this.name = processName();
        this.held = held;
        this.embeddedServer = embeddedServer;
        this.timeout = timeout;
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

    /** Whether a process heard from within the timeout holds the job (this one included). */
    boolean isHeld(long jobId) {
        return Boolean.TRUE.equals(jdbc.queryForObject(HELD, Boolean.class, jobId, (double) timeout.toSeconds()));
    }

    /** The moment before which a holder not heard from since is dead ({@link #TIMEOUT} ago, or the server's start). */
    OffsetDateTime deadBefore() {
        return jdbc.queryForObject(
                DEAD_BEFORE,
                (rs, row) -> rs.getObject(1, OffsetDateTime.class),
                (double) timeout.toSeconds(),
                embeddedServer);
    }

    /**
     * Takes the job over from a holder last heard from before {@code deadBefore}, or that never wrote its row: true
     * for exactly one of the processes that try at the same time. The caller checked the job has no younger holder.
     */
    boolean claim(long jobId, OffsetDateTime deadBefore) {
        return jdbc.update(CLAIM, jobId, name, deadBefore) == 1;
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
