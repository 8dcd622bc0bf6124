package com.widgets.api.history;

import com.widgets.api.system.Connection;
import com.widgets.api.system.GraphQlSettings;
import com.widgets.api.system.InvalidInput;
import com.widgets.db.PortRef;
import com.widgets.db.WiringEvent;
import com.widgets.db.WiringStore;
import java.util.List;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.stereotype.Controller;

/** The history of a widget's wiring, newest first, a page at a time. */
@Controller
class HistoryController {

    private static final String CURSOR = "event";

    private final WiringStore store;
    private final GraphQlSettings settings;

    HistoryController(WiringStore store, GraphQlSettings settings) {
        this.store = store;
        this.settings = settings;
    }

    @QueryMapping
    Connection<WiringEvent> wiringHistory(
            @Argument String serialNumber, @Argument Integer first, @Argument String after) {
        String serial = PortRef.serial("serialNumber", serialNumber);
        int size = settings.pageSize(first);
        Long before = beforeId(Connection.decode(CURSOR, after));
        List<WiringEvent> events;
        boolean more;
        if (size < WiringStore.MAX_PAGE) {
            events = store.history(serial, before, size + 1);
            more = events.size() > size;
            events = more ? events.subList(0, size) : events;
        } else {
            events = store.history(serial, before, size);
            more = events.size() == size
                    && !store.history(serial, events.get(size - 1).id(), 1).isEmpty();
        }
        return Connection.of(CURSOR, events, e -> Long.toString(e.id()), e -> null, more, after != null);
    }

    private static Long beforeId(String cursor) {
        if (cursor == null) {
            return null;
        }
        try {
            return Long.parseLong(cursor);
        } catch (NumberFormatException e) {
            throw new InvalidInput("after", "is not a cursor of this list; pass a cursor or endCursor it returned");
        }
    }
}
