package com.widgets.db;

import java.time.Instant;
import java.util.Set;

/**
 * One committed change of one widget, as kept in the history and as broadcast to listeners.
 *
 * @param id increasing per widget; the history's cursor
 * @param at the time of the transaction that made the change
 * @param port the port linked or unlinked (LINKED, UNLINKED)
 * @param peer the port at the other end (LINKED, UNLINKED)
 * @param name the widget's name (ADDED, REMOVED)
 * @param ports the widget's ports (ADDED)
 */
public record WiringEvent(
        long id,
        Instant at,
        String serialNumber,
        EventType type,
        PortType port,
        PortRef peer,
        String name,
        Set<PortType> ports,
        Origin origin) {}
