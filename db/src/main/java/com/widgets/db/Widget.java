package com.widgets.db;

import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** A widget as stored: its name and its ports (in P, R, Q order) with their peers. */
public record Widget(String serialNumber, String name, Instant createdAt, List<Port> ports) {

    public Widget {
        ports = List.copyOf(ports);
    }

    public Optional<Port> port(PortType type) {
        return ports.stream().filter(p -> p.type() == type).findFirst();
    }

    public Set<PortType> portTypes() {
        Set<PortType> types = EnumSet.noneOf(PortType.class);
        ports.forEach(p -> types.add(p.type()));
        return types;
    }
}
