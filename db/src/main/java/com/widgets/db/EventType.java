package com.widgets.db;

/** What happened to a widget in one history row. */
public enum EventType {
    /** The widget was added, with its name and ports. */
    ADDED,
    /** The widget was removed (its links are ended by UNLINKED rows just before). */
    REMOVED,
    /** One of its ports was linked to a peer. */
    LINKED,
    /** One of its ports was freed from its peer. */
    UNLINKED
}
