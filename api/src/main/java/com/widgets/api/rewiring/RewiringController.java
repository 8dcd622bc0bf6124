package com.widgets.api.rewiring;

import com.widgets.api.access.RequestOrigin;
import com.widgets.api.system.ApiError;
import com.widgets.api.system.Connection;
import com.widgets.api.system.GraphQlSettings;
import com.widgets.api.system.InvalidInput;
import com.widgets.ingest.rewire.RewiringJob;
import com.widgets.ingest.rewire.RewiringJobs;
import com.widgets.ingest.rewire.RewiringMode;
import com.widgets.ingest.rewire.RewiringStats;
import com.widgets.ingest.rewire.RewiringStatus;
import graphql.GraphQLContext;
import java.util.List;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.MutationMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.graphql.data.method.annotation.SchemaMapping;
import org.springframework.graphql.data.method.annotation.SubscriptionMapping;
import org.springframework.stereotype.Controller;
import reactor.core.publisher.Flux;

/** Rewiring jobs over GraphQL: reading them, starting one on a file on the server, stopping, restarting, watching. */
@Controller
class RewiringController {

    private static final String CURSOR = "job";

    private final RewiringJobs jobs;
    private final RewiringFiles files;
    private final ProgressPoller progress;
    private final GraphQlSettings settings;

    RewiringController(RewiringJobs jobs, RewiringFiles files, ProgressPoller progress, GraphQlSettings settings) {
        this.jobs = jobs;
        this.files = files;
        this.progress = progress;
        this.settings = settings;
    }

    record StartRewiringInput(String path, RewiringMode mode) {}

    @QueryMapping
    RewiringJob rewiringJob(@Argument String id) {
        Long job = parse(id);
        return job == null ? null : jobs.status(job).orElse(null);
    }

    @QueryMapping
    Connection<RewiringJob> rewiringJobs(
            @Argument Integer first, @Argument String after, @Argument RewiringStatus status) {
        int size = settings.pageSize(first);
        String cursor = Connection.decode(CURSOR, after);
        Long before = null;
        if (cursor != null) {
            before = parse(cursor);
            if (before == null) {
                throw new InvalidInput("after", "is not a cursor of this list; pass a cursor or endCursor it returned");
            }
        }
        List<RewiringJob> page = jobs.list(before, size + 1, status);
        boolean more = page.size() > size;
        return Connection.of(
                CURSOR,
                more ? page.subList(0, size) : page,
                job -> Long.toString(job.id()),
                job -> null,
                more,
                after != null);
    }

    @QueryMapping
    RewiringStats rewiringStats(@Argument Integer last) {
        int max = last == null ? settings.defaultPageSize() : last;
        if (max < 1 || max > settings.maxPageSize()) {
            throw new InvalidInput("last", "must be between 1 and " + settings.maxPageSize() + ", not " + last);
        }
        return jobs.stats(max);
    }

    @MutationMapping
    RewiringJob startRewiring(@Argument StartRewiringInput input, GraphQLContext context) {
        var origin = RequestOrigin.of(context);
        var file = files.allowed("input.path", input.path());
        files.check(file, false);
        long id = jobs.submit(file, input.mode() == null ? RewiringMode.APPLY : input.mode(), origin.actor());
        return existing(id);
    }

    @MutationMapping
    RewiringJob stopRewiring(@Argument String id) {
        long job = existingId(id);
        jobs.stop(job);
        return existing(job);
    }

    @MutationMapping
    RewiringJob restartRewiring(@Argument String id) {
        long job = existingId(id);
        RewiringJob now = existing(job);
        if (now.status() == RewiringStatus.COMPLETED) {
            throw new ApiError(
                    ApiError.Code.JOB_NOT_RESTARTABLE,
                    "Rewiring job " + job + " completed; start a new job to run its file again.");
        }
        // A job shown as pending or running goes to the facade too: it resumes one whose process died, and refuses
        // one that is alive.
        try {
            jobs.restart(job);
        } catch (IllegalStateException e) {
            throw new ApiError(ApiError.Code.JOB_NOT_RESTARTABLE, e.getMessage());
        }
        return existing(job);
    }

    @SubscriptionMapping
    Flux<RewiringJob> rewiringProgress(@Argument String id) {
        Long job = parse(id);
        return job == null ? Flux.error(notFound(id)) : progress.watch(job);
    }

    @SchemaMapping(typeName = "RewiringJob")
    String rejectsUrl(RewiringJob job) {
        return RewiringRestController.rejectsPath(job.id());
    }

    private RewiringJob existing(long id) {
        return jobs.status(id).orElseThrow(() -> notFound(Long.toString(id)));
    }

    private long existingId(String id) {
        Long job = parse(id);
        if (job == null || jobs.status(job).isEmpty()) {
            throw notFound(id);
        }
        return job;
    }

    /** A job id, or null when the text cannot be one (so no job has it). */
    static Long parse(String id) {
        try {
            long value = Long.parseLong(id.strip());
            return value > 0 ? value : null;
        } catch (NumberFormatException | NullPointerException e) {
            return null;
        }
    }

    static ApiError notFound(String id) {
        return new ApiError(ApiError.Code.JOB_NOT_FOUND, "There is no rewiring job with id '" + id + "'.");
    }
}
