package com.widgets.api.live;

import com.widgets.db.EventType;
import com.widgets.db.Origin;
import com.widgets.db.PortRef;
import com.widgets.db.PortType;
import com.widgets.db.WiringEvent;
import java.time.Instant;
import java.util.Set;

/**
 * A committed change as a {@code wiringChanged} subscriber gets it: the history's event and the cursor to resume
 * from. Built once per change for every subscriber; GraphQL reads its fields by name, as it does a {@link
 * WiringEvent}'s. {@code selections} holds what the change's GraphQL selections came to, so that subscribers who
 * asked for the same selection share one execution ({@link OncePerChangeStrategy}).
 */
record LiveEvent(
        long id,
        Instant at,
        String serialNumber,
        EventType type,
        PortType port,
        PortRef peer,
        String name,
        Set<PortType> ports,
        Origin origin,
        String cursor,
        ExecutedSelections selections) {

    /** A change the fanout hands to every subscriber watching it: its selections are executed once each. */
    static LiveEvent of(WiringEvent event, String cursor) {
        return of(event, cursor, new ExecutedSelections());
    }

    /** A change replayed for one resumed subscriber: nobody shares it, so nothing is kept. */
    static LiveEvent replayed(WiringEvent event, String cursor) {
        return of(event, cursor, ExecutedSelections.NONE);
    }

    private static LiveEvent of(WiringEvent event, String cursor, ExecutedSelections selections) {
        return new LiveEvent(
                event.id(),
                event.at(),
                event.serialNumber(),
                event.type(),
                event.port(),
                event.peer(),
                event.name(),
                event.ports(),
                event.origin(),
                cursor,
                selections);
    }
}
