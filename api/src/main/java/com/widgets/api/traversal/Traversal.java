package com.widgets.api.traversal;

import com.widgets.api.system.ApiError;
import com.widgets.api.system.GraphQlSettings;
import com.widgets.api.system.InvalidInput;
import com.widgets.db.ErrorCode;
import com.widgets.db.Port;
import com.widgets.db.PortRef;
import com.widgets.db.PortType;
import com.widgets.db.Widget;
import com.widgets.db.WiringException;
import com.widgets.db.WiringStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Breadth-first searches over the wiring in the service, one batched read of the next ring of widgets per hop: Citus
 * has no recursive SQL over distributed tables. Bounded by {@code maxHops} and by a budget of widgets visited.
 */
@Component
class Traversal {

    /** A widget found {@code hops} links away from where the search started. */
    record Reached(Widget widget, int hops) {}

    /** One widget on a path, entered through {@code inPort} and left through {@code outPort}. */
    record PathStep(int hop, Widget widget, PortType inPort, PortType outPort) {}

    /** How the search first came to a widget: from this port of the previous widget, into this port. */
    private record Arrival(String from, PortType outPort, PortType inPort) {}

    private final WiringStore store;
    private final GraphQlSettings settings;

    Traversal(WiringStore store, GraphQlSettings settings) {
        this.store = store;
        this.settings = settings;
    }

    /** Every widget within {@code maxHops} links of {@code from}, {@code from} excluded. */
    List<Reached> reachable(String from, int maxHops) {
        checkHops(maxHops);
        Widget start = existing(store.widgets(List.of(PortRef.serial("from", from))), from);
        List<Reached> reached = new ArrayList<>();
        search(start, maxHops, null, (widget, hops, arrival) -> reached.add(new Reached(widget, hops)));
        return reached;
    }

    /** A shortest path from {@code from} to {@code to}; empty when there is none within {@code maxHops} links. */
    Optional<List<PathStep>> path(String from, String to, int maxHops) {
        checkHops(maxHops);
        Map<String, Widget> ends = store.widgets(List.of(PortRef.serial("from", from), PortRef.serial("to", to)));
        Widget start = existing(ends, from);
        Widget target = existing(ends, to);
        if (from.equals(to)) {
            return Optional.of(List.of(new PathStep(0, start, null, null)));
        }
        Map<String, Arrival> arrivals = new HashMap<>();
        Map<String, Widget> seen = new HashMap<>();
        seen.put(from, start);
        boolean found = search(start, maxHops, to, (widget, hops, arrival) -> {
            arrivals.put(widget.serialNumber(), arrival);
            seen.put(widget.serialNumber(), widget);
        });
        if (!found) {
            return Optional.empty();
        }
        List<PathStep> reversed = new ArrayList<>();
        String at = target.serialNumber();
        PortType outPort = null;
        while (!at.equals(from)) {
            Arrival arrival = arrivals.get(at);
            reversed.add(new PathStep(0, seen.get(at), arrival.inPort(), outPort));
            outPort = arrival.outPort();
            at = arrival.from();
        }
        reversed.add(new PathStep(0, start, null, outPort));
        Collections.reverse(reversed);
        List<PathStep> steps = new ArrayList<>(reversed.size());
        for (int i = 0; i < reversed.size(); i++) {
            PathStep step = reversed.get(i);
            steps.add(new PathStep(i, step.widget(), step.inPort(), step.outPort()));
        }
        return Optional.of(steps);
    }

    private interface Visitor {
        void reached(Widget widget, int hops, Arrival arrival);
    }

    /** Visits rings of widgets around {@code start}; true when {@code target} was reached (and the search stopped). */
    private boolean search(Widget start, int maxHops, String target, Visitor visitor) {
        Set<String> visited = new LinkedHashSet<>();
        visited.add(start.serialNumber());
        List<Widget> ring = List.of(start);
        for (int hop = 1; hop <= maxHops && !ring.isEmpty(); hop++) {
            Map<String, Arrival> next = new LinkedHashMap<>();
            for (Widget widget : ring) {
                for (Port port : widget.ports()) {
                    if (!port.isFree() && !visited.contains(port.peer().serialNumber())) {
                        next.putIfAbsent(
                                port.peer().serialNumber(),
                                new Arrival(
                                        widget.serialNumber(),
                                        port.type(),
                                        port.peer().port()));
                    }
                }
            }
            if (visited.size() + next.size() > settings.nodeBudget()) {
                throw new ApiError(
                        ApiError.Code.LIMIT_EXCEEDED,
                        "The search from " + start.serialNumber() + " reached more than " + settings.nodeBudget()
                                + " widgets within " + hop + " hops (widgets.graphql.node-budget); ask for fewer"
                                + " hops.");
            }
            visited.addAll(next.keySet());
            Map<String, Widget> found = next.isEmpty() ? Map.of() : store.widgets(next.keySet());
            List<Widget> nextRing = new ArrayList<>(found.size());
            for (Map.Entry<String, Arrival> entry : next.entrySet()) {
                Widget widget = found.get(entry.getKey());
                if (widget == null) {
                    continue; // removed since its peer was read
                }
                nextRing.add(widget);
                visitor.reached(widget, hop, entry.getValue());
                if (widget.serialNumber().equals(target)) {
                    return true;
                }
            }
            ring = nextRing;
        }
        return false;
    }

    private void checkHops(int maxHops) {
        if (maxHops < 1 || maxHops > settings.maxHops()) {
            throw new InvalidInput("maxHops", "must be between 1 and " + settings.maxHops() + ", not " + maxHops);
        }
    }

    private static Widget existing(Map<String, Widget> found, String serial) {
        Widget widget = found.get(serial);
        if (widget == null) {
            throw new WiringException(ErrorCode.WIDGET_NOT_FOUND, "Widget '" + serial + "' does not exist.");
        }
        return widget;
    }
}
