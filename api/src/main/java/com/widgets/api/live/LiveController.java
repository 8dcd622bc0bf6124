package com.widgets.api.live;

import com.widgets.api.access.RequestOrigin;
import com.widgets.api.history.HistorySettings;
import com.widgets.api.system.ApiError;
import com.widgets.db.ChangeFeed;
import com.widgets.db.PortRef;
import com.widgets.db.WiringEvent;
import graphql.GraphQLContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.SchemaMapping;
import org.springframework.graphql.data.method.annotation.SubscriptionMapping;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Controller;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** Live wiring changes, as they commit; resumed from a cursor with what was missed first. */
@Controller
class LiveController {

    private static final int PAGE = 1000;

    private final WiringFanout fanout;
    private final JdbcTemplate jdbc;
    private final LiveSettings settings;
    private final HistorySettings history;

    LiveController(WiringFanout fanout, JdbcTemplate jdbc, LiveSettings settings, HistorySettings history) {
        this.fanout = fanout;
        this.jdbc = jdbc;
        this.settings = settings;
        this.history = history;
    }

    @SubscriptionMapping
    Flux<LiveEvent> wiringChanged(
            @Argument List<String> serialNumbers, @Argument String after, GraphQLContext context) {
        Set<String> serials = null;
        if (serialNumbers != null) {
            serials = new LinkedHashSet<>();
            for (String serial : serialNumbers) {
                serials.add(PortRef.serial("serialNumbers", serial));
            }
        }
        Instant from = after == null ? null : LiveCursor.parse(after);
        if (from != null
                && !history.retention().isZero()
                && from.isBefore(Instant.now().minus(history.retention()))) {
            return Flux.error(new ApiError(
                    ApiError.Code.LIVE_UPDATES_INTERRUPTED,
                    "The cursor is older than the history kept (widgets.history.retention): re-read what you show"
                            + " and subscribe without `after`."));
        }
        String connection =
                context.getOrDefault(RequestOrigin.CONNECTION, UUID.randomUUID().toString());
        WiringFanout.Subscriber subscriber;
        try {
            // the moment is taken before the subscription is registered: whatever commits after registering is
            // delivered by the feed, and passes this subscriber's filter
            subscriber = fanout.subscribe(serials, connection, ChangeFeed.since(jdbc));
        } catch (ApiError refused) {
            return Flux.error(refused);
        }
        Flux<LiveEvent> live = subscriber.flux();
        if (from == null) {
            return live;
        }
        Set<String> watched = serials;
        Set<Long> replayed = new HashSet<>();
        Mono<List<LiveEvent>> missed = Mono.fromCallable(() -> {
                    // registered above, so whatever commits from now on comes live; whatever committed before this
                    // read is in it: nothing falls between (duplicates are dropped by id below)
                    return replay(from, watched, after, replayed);
                })
                .subscribeOn(Schedulers.boundedElastic());
        return missed.flatMapMany(events ->
                        Flux.concat(Flux.fromIterable(events), live.filter(event -> !replayed.contains(event.id()))))
                .doFinally(signal -> fanout.release(subscriber));
    }

    /**
     * {@code WiringEvent.cursor}: where a live event's subscriber resumes from. The history's pages serve the same type
     * from the store's events, which have no cursor of their own (their edges carry one), so it is null there. Mapped
     * here rather than left to the property: the schema inspection at start takes the type's Java class from the
     * history query and would report the field unmapped.
     */
    @SchemaMapping(typeName = "WiringEvent", field = "cursor")
    String cursor(Object event) {
        return event instanceof LiveEvent live ? live.cursor() : null;
    }

    private List<LiveEvent> replay(Instant from, Set<String> serials, String cursor, Set<Long> ids) {
        List<LiveEvent> events = new ArrayList<>();
        String[] watched = serials == null ? null : serials.toArray(String[]::new);
        Instant at = from;
        long afterId = 0;
        List<WiringEvent> page;
        do {
            page = ChangeFeed.replay(jdbc, at, afterId, watched, PAGE);
            for (WiringEvent event : page) {
                if (events.size() >= settings.maxReplay()) {
                    throw new ApiError(
                            ApiError.Code.LIVE_UPDATES_INTERRUPTED,
                            "More than " + settings.maxReplay()
                                    + " changes happened since the cursor (widgets.live.max-replay): re-read what you"
                                    + " show and subscribe without `after`.");
                }
                events.add(LiveEvent.replayed(event, cursor));
                ids.add(event.id());
            }
            if (!page.isEmpty()) {
                at = page.get(page.size() - 1).at();
                afterId = page.get(page.size() - 1).id();
            }
        } while (page.size() == PAGE);
        return events;
    }
}
