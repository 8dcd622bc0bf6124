package com.widgets.db;

import java.util.Set;

/**
 * One change of a chunk given to {@link WiringStore#applyChunk}: the same four operations as the single-operation API,
 * each carrying its {@link Origin} (for a rewiring file: the job and the line number).
 */
public sealed interface WiringOp {

    Origin origin();

    /** Adds a widget, like {@link WiringStore#addWidget}. */
    record AddWidget(String serialNumber, String name, Set<PortType> ports, Origin origin) implements WiringOp {}

    /** Removes a widget and its links, like {@link WiringStore#removeWidget}. */
    record RemoveWidget(String serialNumber, Origin origin) implements WiringOp {}

    /** Links two ports, like {@link WiringStore#link}. */
    record LinkPorts(PortRef a, PortRef b, Origin origin) implements WiringOp {}

    /** Unlinks a port, optionally only from an expected peer, like {@link WiringStore#unlink}. */
    record UnlinkPort(PortRef end, PortRef expectedPeer, Origin origin) implements WiringOp {}
}
