package com.widgets.db;

import java.time.Instant;

/** A port of a widget and, when linked, its peer and since when. */
public record Port(PortType type, PortRef peer, Instant linkedAt) {

    public boolean isFree() {
        return peer == null;
    }
}
