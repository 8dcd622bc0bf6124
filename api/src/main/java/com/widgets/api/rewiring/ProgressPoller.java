package com.widgets.api.rewiring;

import com.widgets.api.system.ApiError;
import com.widgets.ingest.rewire.RewiringJob;
import com.widgets.ingest.rewire.RewiringJobs;
import com.widgets.ingest.rewire.RewiringStatus;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedRateTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * Progress of rewiring jobs for {@code rewiringProgress}: one shared task reads each watched job once per tick,
 * however many subscribers watch it, and hands the job to them without ever waiting for one: a subscriber that reads
 * slowly gets the latest state, not a backlog. A subscription ends after the job's final state.
 */
@Component
class ProgressPoller implements SchedulingConfigurer, DisposableBean {

    /** Twice a second, so a subscriber hears from a running job at least once a second. */
    static final Duration TICK = Duration.ofMillis(500);

    private static final Logger log = LoggerFactory.getLogger(ProgressPoller.class);

    private final RewiringJobs jobs;
    private final Map<Long, Set<Sinks.Many<RewiringJob>>> watchers = new ConcurrentHashMap<>();
    private final AtomicBoolean ticking = new AtomicBoolean();

    ProgressPoller(RewiringJobs jobs) {
        this.jobs = jobs;
    }

    /**
     * At a fixed rate on the application's task scheduler: on its virtual-thread variant fixed-delay tasks share one
     * thread, where a long history prune would hold the ticks up. A tick that finds the previous one still running
     * skips its turn.
     */
    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        registrar.addFixedRateTask(new FixedRateTask(this::tickOnce, TICK, TICK));
    }

    private void tickOnce() {
        if (ticking.compareAndSet(false, true)) {
            try {
                tick();
            } finally {
                ticking.set(false);
            }
        }
    }

    /** The job now, then at every tick until (and including) its final state; an error when there is no such job. */
    Flux<RewiringJob> watch(long id) {
        return Mono.fromCallable(() -> jobs.status(id))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMapMany(found -> found.map(job -> follow(id, job))
                        .orElseGet(() -> Flux.error(new ApiError(
                                ApiError.Code.JOB_NOT_FOUND, "There is no rewiring job with id " + id + "."))));
    }

    private Flux<RewiringJob> follow(long id, RewiringJob now) {
        if (isOver(now)) {
            return Flux.just(now);
        }
        Sinks.Many<RewiringJob> sink = Sinks.many().unicast().onBackpressureBuffer();
        sink.tryEmitNext(now);
        watchers.computeIfAbsent(id, key -> ConcurrentHashMap.newKeySet()).add(sink);
        return sink.asFlux()
                .onBackpressureLatest()
                .publishOn(Schedulers.boundedElastic(), 1)
                .doFinally(signal -> forget(id, sink));
    }

    private void forget(long id, Sinks.Many<RewiringJob> sink) {
        watchers.computeIfPresent(id, (key, sinks) -> {
            sinks.remove(sink);
            return sinks.isEmpty() ? null : sinks;
        });
    }

    private void tick() {
        for (Map.Entry<Long, Set<Sinks.Many<RewiringJob>>> entry : watchers.entrySet()) {
            Optional<RewiringJob> job;
            try {
                job = jobs.status(entry.getKey());
            } catch (RuntimeException e) {
                log.warn("Could not read rewiring job {} for its subscribers: {}", entry.getKey(), e.getMessage());
                continue;
            }
            for (Sinks.Many<RewiringJob> sink : entry.getValue()) {
                if (job.isEmpty()) {
                    sink.tryEmitError(new ApiError(
                            ApiError.Code.JOB_NOT_FOUND, "Rewiring job " + entry.getKey() + " no longer exists."));
                    forget(entry.getKey(), sink);
                    continue;
                }
                sink.tryEmitNext(job.get());
                if (isOver(job.get())) {
                    sink.tryEmitComplete();
                    forget(entry.getKey(), sink);
                }
            }
        }
    }

    private static boolean isOver(RewiringJob job) {
        return job.status() != RewiringStatus.RUNNING && job.status() != RewiringStatus.PENDING;
    }

    int watcherCount() {
        return watchers.values().stream().mapToInt(Set::size).sum();
    }

    @Override
    public void destroy() {
        watchers.values().forEach(sinks -> sinks.forEach(Sinks.Many::tryEmitComplete));
    }
}
