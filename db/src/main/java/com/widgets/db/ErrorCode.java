package com.widgets.db;

/** Why the store refused a change: stable, machine-readable, shared by the GraphQL API, REST and the rewiring job. */
public enum ErrorCode {
    /** A serial number, name or port is malformed; the message names the field. */
    INVALID_INPUT,
    /** A widget named by serial number does not exist. */
    WIDGET_NOT_FOUND,
    /** A widget with this serial number exists with another name or other ports. */
    WIDGET_EXISTS,
    /** The widget has no port of that type. */
    PORT_NOT_ON_WIDGET,
    /** The port is linked to another peer; the message names it. */
    PORT_BUSY,
    /** Both ends of a link are on the same widget. */
    SELF_LINK,
    /** An unlink's expected peer is not the port's actual peer. */
    NOT_LINKED_TO,
    /** The same ports kept changing under us; trying again later will likely succeed. */
    CONTENTION,
    /**
     * Every pooled database connection stayed in use for the whole wait ({@code
     * spring.datasource.hikari.connection-timeout}); not the caller's fault, retry in a moment.
     */
    BUSY,
    /** The database could not be reached or failed (stopped, disk full); not the caller's fault, retry later. */
    UNAVAILABLE
}
