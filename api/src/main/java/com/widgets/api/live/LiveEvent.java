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
 * WiringEvent}'s.
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
        String cursor) {

    static LiveEvent of(WiringEvent event, String cursor) {
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
                cursor);
    }
}
