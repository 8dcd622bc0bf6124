package com.widgets.db;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies a chunk's operations in order to an in-memory copy of the widgets they name, with the single-operation
 * rules, so a later operation sees the effects of earlier ones. It records the history events and what each touched
 * row looked like when read, from which {@link ChunkWrites} builds its check-and-set statements.
 */
final class ChunkSimulation {

    /** One history row to append. */
    record Event(
            String serial,
            EventType type,
            PortType port,
            PortRef peer,
            String name,
            Set<PortType> ports,
            Origin origin) {}

    /** A widget named by the chunk: as read, and as the chunk has left it so far. */
    static final class WidgetState {
        final String serial;
        final Widget initial;
        /** The widget as read was removed by the chunk. */
        boolean initialRemoved;
        /** Some generation of the widget was added by the chunk. */
        boolean anyAdded;
        /** The current generation was added by the chunk (its port rows are new). */
        boolean currentAdded;

        boolean exists;
        String name;
        final Map<PortType, PortRef> peers = new EnumMap<>(PortType.class);
        /** The peers as read (empty when the widget was not found). */
        private final Map<PortType, PortRef> initialPeers = new EnumMap<>(PortType.class);

        WidgetState(String serial, Widget initial) {
            this.serial = serial;
            this.initial = initial;
            if (initial != null) {
                exists = true;
                name = initial.name();
                initial.ports().forEach(p -> peers.put(p.type(), p.peer()));
                initialPeers.putAll(peers);
            }
        }

        Widget view() {
            List<Port> ports = new ArrayList<>(peers.size());
            peers.forEach((type, peer) -> ports.add(new Port(type, peer, null)));
            return new Widget(serial, name, Instant.EPOCH, ports);
        }

        PortRef initialPeer(PortType type) {
            return initialPeers.get(type);
        }
    }

    private final Map<String, WidgetState> widgets = new LinkedHashMap<>();
    /** Rows of the widgets as read whose peer the chunk changed: their peer when read. */
    private final Map<PortRef, PortRef> touched = new HashMap<>();
    /** Rows of widgets the chunk does not name, freed because their peer was unlinked: their peer when read. */
    private final Map<PortRef, PortRef> external = new HashMap<>();

    private final List<Event> events = new ArrayList<>();

    ChunkSimulation(Collection<String> serials, Map<String, Widget> found) {
        for (String serial : serials) {
            widgets.put(serial, new WidgetState(serial, found.get(serial)));
        }
    }

    /** Every serial number an operation names (valid or not), to read in one statement. */
    static Set<String> serials(List<? extends WiringOp> ops) {
        Set<String> serials = new java.util.LinkedHashSet<>();
        for (WiringOp op : ops) {
            if (op instanceof WiringOp.AddWidget add) {
                addIfPresent(serials, add.serialNumber());
            } else if (op instanceof WiringOp.RemoveWidget remove) {
                addIfPresent(serials, remove.serialNumber());
            } else if (op instanceof WiringOp.LinkPorts link) {
                addIfPresent(serials, link.a());
                addIfPresent(serials, link.b());
            } else if (op instanceof WiringOp.UnlinkPort unlink) {
                addIfPresent(serials, unlink.end());
            }
        }
        return serials;
    }

    /** The serial numbers whose widget row (name, creation time) the chunk needs: those it adds or removes. */
    static Set<String> addedOrRemoved(List<? extends WiringOp> ops) {
        Set<String> serials = new java.util.HashSet<>();
        for (WiringOp op : ops) {
            if (op instanceof WiringOp.AddWidget add) {
                addIfPresent(serials, add.serialNumber());
            } else if (op instanceof WiringOp.RemoveWidget remove) {
                addIfPresent(serials, remove.serialNumber());
            }
        }
        return serials;
    }

    private static void addIfPresent(Set<String> serials, PortRef ref) {
        if (ref != null) {
            serials.add(ref.serialNumber());
        }
    }

    private static void addIfPresent(Set<String> serials, String serial) {
        if (serial != null) {
            serials.add(serial);
        }
    }

    OpOutcome apply(WiringOp op) {
        try {
            return OpOutcome.of(op.origin(), dispatch(op));
        } catch (WiringException refusal) {
            return OpOutcome.rejected(op.origin(), refusal);
        }
    }

    private boolean dispatch(WiringOp op) {
        if (op instanceof WiringOp.AddWidget add) {
            return add(add);
        }
        if (op instanceof WiringOp.RemoveWidget remove) {
            return remove(remove);
        }
        if (op instanceof WiringOp.LinkPorts link) {
            return link(link);
        }
        return unlink((WiringOp.UnlinkPort) op);
    }

    private boolean add(WiringOp.AddWidget op) {
        PortRef.serial("serialNumber", op.serialNumber());
        Rules.checkName(op.name());
        Rules.checkPorts(op.ports());
        Set<PortType> ports = Set.copyOf(op.ports());
        WidgetState widget = widgets.get(op.serialNumber());
        if (widget.exists) {
            Rules.sameWidget(widget.view(), op.name(), ports);
            return false;
        }
        widget.exists = true;
        widget.anyAdded = true;
        widget.currentAdded = true;
        widget.name = op.name();
        widget.peers.clear();
        ports.stream().sorted().forEach(p -> widget.peers.put(p, null));
        events.add(new Event(op.serialNumber(), EventType.ADDED, null, null, op.name(), ports, op.origin()));
        return true;
    }

    private boolean remove(WiringOp.RemoveWidget op) {
        PortRef.serial("serialNumber", op.serialNumber());
        WidgetState widget = widgets.get(op.serialNumber());
        if (!widget.exists) {
            return false;
        }
        for (Map.Entry<PortType, PortRef> port : new ArrayList<>(widget.peers.entrySet())) {
            PortRef peer = port.getValue();
            if (peer != null) {
                PortRef own = new PortRef(widget.serial, port.getKey());
                events.add(
                        new Event(own.serialNumber(), EventType.UNLINKED, own.port(), peer, null, null, op.origin()));
                free(peer, own);
                events.add(
                        new Event(peer.serialNumber(), EventType.UNLINKED, peer.port(), own, null, null, op.origin()));
            }
        }
        events.add(new Event(widget.serial, EventType.REMOVED, null, null, widget.name, null, op.origin()));
        if (!widget.currentAdded) {
            widget.initialRemoved = true;
        }
        widget.exists = false;
        widget.currentAdded = false;
        widget.peers.clear();
        return true;
    }

    private boolean link(WiringOp.LinkPorts op) {
        PortRef a = op.a(), b = op.b();
        Rules.checkPort("a", a);
        Rules.checkPort("b", b);
        Rules.checkNotSelfLink(a, b);
        PortRef peerA = peerOf(a);
        PortRef peerB = peerOf(b);
        if (b.equals(peerA) && a.equals(peerB)) {
            return false;
        }
        if (peerA != null) {
            throw Rules.busy(a, peerA);
        }
        if (peerB != null) {
            throw Rules.busy(b, peerB);
        }
        setPeer(a, b);
        setPeer(b, a);
        bothEnds(EventType.LINKED, a, b, op.origin());
        return true;
    }

    private boolean unlink(WiringOp.UnlinkPort op) {
        PortRef end = op.end(), expected = op.expectedPeer();
        Rules.checkPort("end", end);
        if (expected != null) {
            Rules.checkPort("expectedPeer", expected);
        }
        PortRef peer = peerOf(end);
        if (peer == null) {
            return false;
        }
        if (expected != null && !expected.equals(peer)) {
            throw Rules.notLinkedTo(end, peer, expected);
        }
        setPeer(end, null);
        free(peer, end);
        bothEnds(EventType.UNLINKED, end, peer, op.origin());
        return true;
    }

    /** Two history rows, one per end, in canonical order as the single-operation writes append them. */
    private void bothEnds(EventType type, PortRef a, PortRef b, Origin origin) {
        PortRef first = a.compareTo(b) < 0 ? a : b;
        PortRef second = first == a ? b : a;
        events.add(new Event(first.serialNumber(), type, first.port(), second, null, null, origin));
        events.add(new Event(second.serialNumber(), type, second.port(), first, null, null, origin));
    }

    /**
     * The port's peer as the chunk has left it so far, refused as {@link Rules#existingPort} refuses a port of a
     * widget that does not exist or has no such port; without building the widget's view for each line.
     */
    private PortRef peerOf(PortRef ref) {
        WidgetState widget = widgets.get(ref.serialNumber());
        if (!widget.exists) {
            throw Rules.notFound(ref.serialNumber());
        }
        if (!widget.peers.containsKey(ref.port())) {
            throw Rules.existingPortRefusal(widget.view(), ref);
        }
        return widget.peers.get(ref.port());
    }

    /** Frees {@code port}, which pointed at {@code formerPeer}; it may belong to a widget the chunk does not name. */
    private void free(PortRef port, PortRef formerPeer) {
        WidgetState widget = widgets.get(port.serialNumber());
        if (widget != null) {
            if (!widget.exists || !formerPeer.equals(widget.peers.get(port.port()))) {
                // The read was not one snapshot (two statements, or shards on Citus): read again.
                throw new Attempts.StateChanged();
            }
            setPeer(port, null);
        } else {
            // Links are symmetric, so the row read as formerPeer -> port says this row points back at formerPeer.
            external.put(port, formerPeer);
        }
    }

    private void setPeer(PortRef port, PortRef peer) {
        WidgetState widget = widgets.get(port.serialNumber());
        if (!widget.currentAdded) {
            touched.putIfAbsent(port, widget.initialPeer(port.port()));
        }
        widget.peers.put(port.port(), peer);
    }

    List<Event> events() {
        return events;
    }

    Collection<WidgetState> widgets() {
        return widgets.values();
    }

    /** A row whose peer the chunk changed, and its peer when read. */
    record TouchedRow(PortRef port, PortRef before) {}

    /**
     * Rows of widgets as read (and not removed) whose peer the chunk changed, and the rows of others it freed, in the
     * canonical lock order: sorted once, not kept in order row by row.
     */
    List<TouchedRow> touchedRows() {
        List<TouchedRow> rows = new ArrayList<>(touched.size() + external.size());
        external.forEach((port, before) -> rows.add(new TouchedRow(port, before)));
        touched.forEach((port, before) -> {
            if (!widgets.get(port.serialNumber()).initialRemoved) {
                rows.add(new TouchedRow(port, before));
            }
        });
        rows.sort((a, b) -> a.port().compareTo(b.port()));
        return rows;
    }

    /**
     * The widgets {@code serials} names as they are once this chunk has committed: {@code read}, a read of them taken
     * before it committed (ports only, or whole for those {@code whole} names), with what this chunk changed laid
     * over it — its widgets as it left them, and the rows of others it freed. Null when the read cannot be squared
     * with this chunk's own (a widget this chunk kept is missing from it: removed by someone else since this chunk
     * read it); the caller reads again then.
     *
     * @param writtenAt the chunk's transaction time: the creation time of the widgets it added
     */
    Map<String, Widget> laidOver(
            Map<String, Widget> read, Collection<String> serials, Set<String> whole, Instant writtenAt) {
        Map<String, Widget> after = new HashMap<>(serials.size() * 2);
        for (String serial : serials) {
            WidgetState own = widgets.get(serial);
            Widget before = read.get(serial);
            if (own == null) {
                if (before != null) {
                    after.put(serial, freed(before));
                }
            } else if (own.exists) {
                List<Port> ports = new ArrayList<>(own.peers.size());
                own.peers.forEach((type, peer) -> ports.add(new Port(type, peer, null)));
                if (own.currentAdded) {
                    after.put(serial, new Widget(serial, own.name, writtenAt, ports));
                } else if (before == null || (whole.contains(serial) && before.createdAt() == null)) {
                    return null;
                } else {
                    after.put(serial, new Widget(serial, before.name(), before.createdAt(), ports));
                }
            }
        }
        return after;
    }

    /** {@code widget} as read, with the rows of it this chunk freed (it unlinked their peers) freed. */
    private Widget freed(Widget widget) {
        List<Port> ports = null;
        for (int i = 0; i < widget.ports().size(); i++) {
            Port port = widget.ports().get(i);
            if (port.peer() != null && external.containsKey(new PortRef(widget.serialNumber(), port.type()))) {
                if (ports == null) {
                    ports = new ArrayList<>(widget.ports());
                }
                ports.set(i, new Port(port.type(), null, null));
            }
        }
        return ports == null ? widget : new Widget(widget.serialNumber(), widget.name(), widget.createdAt(), ports);
    }

    /** The peer a row should hold after the chunk: null for freed rows of widgets the chunk does not name. */
    PortRef finalPeer(PortRef port) {
        WidgetState widget = widgets.get(port.serialNumber());
        return widget == null ? null : widget.peers.get(port.port());
    }
}
