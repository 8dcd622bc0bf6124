package com.widgets.db.testing;

import com.widgets.db.PortRef;
import com.widgets.db.PortType;
import com.widgets.db.WiringOp;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The wiring rules as docs/store.md states them, in a few lines of plain Java with no database: what the property
 * tests hold the store and the rewiring job to. Each operation's outcome is {@code CHANGED}, {@code UNCHANGED} or the
 * refusal's code; the checks come in the order the docs list a refusal's causes (the serial numbers and fields, then
 * a self link, then each end's widget and port, then the ends' peers).
 */
public final class WiringModel {

    private static final Pattern SERIAL = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private record Widget(String name, Map<PortType, PortRef> peers) {}

    private final Map<String, Widget> widgets = new HashMap<>();

    /** Applies one operation, as the store would after every earlier one; returns its outcome. */
    public String apply(WiringOp op) {
        try {
            if (op instanceof WiringOp.AddWidget add) {
                return add(add.serialNumber(), add.name(), add.ports());
            }
            if (op instanceof WiringOp.RemoveWidget remove) {
                return remove(remove.serialNumber());
            }
            if (op instanceof WiringOp.LinkPorts link) {
                return link(link.a(), link.b());
            }
            WiringOp.UnlinkPort unlink = (WiringOp.UnlinkPort) op;
            return unlink(unlink.end(), unlink.expectedPeer());
        } catch (Refused refused) {
            return refused.getMessage();
        }
    }

    /** The wiring in the form of {@link WiringDatabase#snapshot}: {@code serial.port -> "name -> peer"}. */
    public Map<String, String> snapshot() {
        Map<String, String> state = new TreeMap<>();
        widgets.forEach((serial, widget) -> widget.peers.forEach((port, peer) -> state.put(
                serial + "." + port,
                widget.name + " -> " + (peer == null ? "." : peer.serialNumber() + "." + peer.port()))));
        return state;
    }

    private String add(String serial, String name, Set<PortType> ports) {
        serial(serial);
        if (name == null
                || name.isBlank()
                || name.codePointCount(0, name.length()) > 128
                || name.codePoints().anyMatch(Character::isISOControl)) {
            throw new Refused("INVALID_INPUT");
        }
        if (ports == null || ports.isEmpty()) {
            throw new Refused("INVALID_INPUT");
        }
        Widget existing = widgets.get(serial);
        if (existing != null) {
            if (existing.name.equals(name) && existing.peers.keySet().equals(ports)) {
                return "UNCHANGED";
            }
            throw new Refused("WIDGET_EXISTS");
        }
        Map<PortType, PortRef> peers = new EnumMap<>(PortType.class);
        ports.forEach(port -> peers.put(port, null));
        widgets.put(serial, new Widget(name, peers));
        return "CHANGED";
    }

    private String remove(String serial) {
        serial(serial);
        Widget widget = widgets.remove(serial);
        if (widget == null) {
            return "UNCHANGED";
        }
        widget.peers.values().stream().filter(peer -> peer != null).forEach(peer -> setPeer(peer, null));
        return "CHANGED";
    }

    private String link(PortRef a, PortRef b) {
        serial(a.serialNumber());
        serial(b.serialNumber());
        if (a.serialNumber().equals(b.serialNumber())) {
            throw new Refused("SELF_LINK");
        }
        PortRef peerOfA = port(a);
        PortRef peerOfB = port(b);
        if (b.equals(peerOfA) && a.equals(peerOfB)) {
            return "UNCHANGED";
        }
        if (peerOfA != null || peerOfB != null) {
            throw new Refused("PORT_BUSY");
        }
        setPeer(a, b);
        setPeer(b, a);
        return "CHANGED";
    }

    private String unlink(PortRef end, PortRef expected) {
        serial(end.serialNumber());
        if (expected != null) {
            serial(expected.serialNumber());
        }
        PortRef peer = port(end);
        if (peer == null) {
            return "UNCHANGED";
        }
        if (expected != null && !expected.equals(peer)) {
            throw new Refused("NOT_LINKED_TO");
        }
        setPeer(end, null);
        setPeer(peer, null);
        return "CHANGED";
    }

    /** The peer of an existing port (null when free); refuses a missing widget or port. */
    private PortRef port(PortRef ref) {
        Widget widget = widgets.get(ref.serialNumber());
        if (widget == null) {
            throw new Refused("WIDGET_NOT_FOUND");
        }
        if (!widget.peers.containsKey(ref.port())) {
            throw new Refused("PORT_NOT_ON_WIDGET");
        }
        return widget.peers.get(ref.port());
    }

    private void setPeer(PortRef port, PortRef peer) {
        widgets.get(port.serialNumber()).peers.put(port.port(), peer);
    }

    private static void serial(String serial) {
        if (serial == null || !SERIAL.matcher(serial).matches()) {
            throw new Refused("INVALID_INPUT");
        }
    }

    /** A refusal, its message the code. */
    private static final class Refused extends RuntimeException {
        Refused(String code) {
            super(code, null, false, false);
        }
    }
}
