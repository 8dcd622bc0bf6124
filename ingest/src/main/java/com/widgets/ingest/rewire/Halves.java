package com.widgets.ingest.rewire;

import com.widgets.db.PortRef;
import com.widgets.db.WiringOp;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A chunk's lines cut in two at the middle, when no line of one half can see or change what a line of the other
 * touches: then the second half, written beside the first, meets exactly the rows it would have met after it.
 *
 * <p>A link touches its two port rows, an unlink naming its peer the port and that peer, an add the whole widget (its
 * rows, whether it exists, its ports). The rules never look at another port of a linked widget than the one named,
 * only at whether the widget exists and which ports it has — which only an add or a remove changes. An unlink naming
 * no peer, and a remove, touch rows the line does not name (the peers), so a chunk holding one is not cut. Unreadable
 * lines touch nothing.
 *
 * @param firstTouched what the first half touches
 * @param secondTouched what the second half touches
 */
record Halves(List<FileLine> first, List<FileLine> second, Touched firstTouched, Touched secondTouched) {

    /** Fewer lines per half are not worth a second connection. */
    static final int MIN_HALF = 500;

    /** The halves, or null when the chunk is too small or its halves may touch the same rows. */
    static Halves of(List<FileLine> lines) {
        if (lines.size() < 2 * MIN_HALF) {
            return null;
        }
        int middle = lines.size() / 2;
        Touched first = Touched.by(lines.subList(0, middle));
        Touched second = first == null ? null : Touched.by(lines.subList(middle, lines.size()));
        if (second == null || first.meets(second)) {
            return null;
        }
        return new Halves(lines.subList(0, middle), lines.subList(middle, lines.size()), first, second);
    }

    /** The rows a run of lines touches: single ports, and widgets as a whole (those it adds). */
    record Touched(Set<PortRef> ports, Set<String> widgets) {

        /** Null when some line touches rows it does not name. */
        static Touched by(List<FileLine> lines) {
            Touched touched = new Touched(new HashSet<>(), new HashSet<>());
            for (FileLine line : lines) {
                WiringOp op = line.op();
                if (op instanceof WiringOp.LinkPorts link) {
                    touched.port(link.a());
                    touched.port(link.b());
                } else if (op instanceof WiringOp.UnlinkPort unlink) {
                    if (unlink.expectedPeer() == null) {
                        return null;
                    }
                    touched.port(unlink.end());
                    touched.port(unlink.expectedPeer());
                } else if (op instanceof WiringOp.AddWidget add) {
                    if (add.serialNumber() != null) {
                        touched.widgets.add(add.serialNumber());
                    }
                } else if (op instanceof WiringOp.RemoveWidget) {
                    return null;
                }
            }
            return touched;
        }

        /** A port missing from a line is refused before anything is read. */
        private void port(PortRef port) {
            if (port != null) {
                ports.add(port);
            }
        }

        /** Whether these lines and {@code other}'s touch a port in common, or one names a widget the other adds. */
        boolean meets(Touched other) {
            Set<PortRef> fewer = ports.size() <= other.ports.size() ? ports : other.ports;
            Set<PortRef> more = fewer == ports ? other.ports : ports;
            for (PortRef port : fewer) {
                if (more.contains(port)) {
                    return true;
                }
            }
            return names(other.widgets) || other.names(widgets);
        }

        private boolean names(Set<String> added) {
            if (added.isEmpty()) {
                return false;
            }
            for (String serial : widgets) {
                if (added.contains(serial)) {
                    return true;
                }
            }
            for (PortRef port : ports) {
                if (added.contains(port.serialNumber())) {
                    return true;
                }
            }
            return false;
        }
    }
}
