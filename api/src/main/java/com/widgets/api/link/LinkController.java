package com.widgets.api.link;

import com.widgets.api.access.RequestOrigin;
import com.widgets.db.Change;
import com.widgets.db.Link;
import com.widgets.db.PortRef;
import com.widgets.db.PortType;
import com.widgets.db.Widget;
import com.widgets.db.WiringStore;
import graphql.schema.DataFetchingEnvironment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.springframework.graphql.data.method.annotation.BatchMapping;
import org.springframework.graphql.data.method.annotation.MutationMapping;
import org.springframework.stereotype.Controller;

/** Links between ports: making and ending them, and the widget at each end of a link. */
@Controller
class LinkController {

    private final WiringStore store;

    LinkController(WiringStore store) {
        this.store = store;
    }

    record LinkPayload(boolean changed, Link link, String requestId) {}

    /** {@code end} is the port asked for; the link is null when it was already free. */
    record UnlinkPayload(boolean changed, Link link, PortRef end, String requestId) {}

    @MutationMapping
    LinkPayload link(DataFetchingEnvironment env) {
        Map<String, Object> input = env.getArgument("input");
        var origin = RequestOrigin.of(env.getGraphQlContext());
        Change<Link> change = store.link(port(input, "a"), port(input, "b"), origin);
        return new LinkPayload(change.changed(), change.value(), origin.requestId());
    }

    @MutationMapping
    UnlinkPayload unlink(DataFetchingEnvironment env) {
        Map<String, Object> input = env.getArgument("input");
        var origin = RequestOrigin.of(env.getGraphQlContext());
        PortRef end = port(input, "end");
        Change<Link> change = store.unlink(end, port(input, "expectedPeer"), origin);
        return new UnlinkPayload(change.changed(), change.value(), end, origin.requestId());
    }

    /**
     * A {@code PortInput} field of an input, or null when it was left out or null. Read from graphql-java's coerced
     * arguments (the schema has checked their shape and types), not bound by Spring's argument binder, which resolves
     * each input record's constructor by reflection on every call: 6.6 % of the service's CPU on link/unlink
     * (bench/PROFILE.md).
     */
    private static PortRef port(Map<String, Object> input, String field) {
        if (!(input.get(field) instanceof Map<?, ?> port)) {
            return null;
        }
        Object type = port.get("port");
        return new PortRef(
                (String) port.get("serialNumber"),
                type instanceof PortType known ? known : PortType.of(field + ".port", String.valueOf(type)));
    }

    @BatchMapping(typeName = "LinkPayload")
    Map<LinkPayload, List<Widget>> widgets(List<LinkPayload> payloads) {
        return widgetsOf(
                payloads, payload -> List.of(payload.link().a(), payload.link().b()));
    }

    @BatchMapping(typeName = "UnlinkPayload", field = "widgets")
    Map<UnlinkPayload, List<Widget>> unlinkedWidgets(List<UnlinkPayload> payloads) {
        return widgetsOf(
                payloads,
                payload -> payload.link() == null
                        ? List.of(payload.end())
                        : List.of(payload.link().a(), payload.link().b()));
    }

    private <K> Map<K, List<Widget>> widgetsOf(List<K> payloads, Function<K, List<PortRef>> ends) {
        Set<String> serials = new LinkedHashSet<>();
        payloads.forEach(p -> ends.apply(p).forEach(end -> serials.add(end.serialNumber())));
        Map<String, Widget> found = store.widgets(serials);
        Map<K, List<Widget>> result = new HashMap<>();
        for (K payload : payloads) {
            List<Widget> widgets = new ArrayList<>(2);
            for (PortRef end : ends.apply(payload)) {
                Widget widget = found.get(end.serialNumber());
                if (widget != null) {
                    widgets.add(widget);
                }
            }
            result.put(payload, widgets);
        }
        return result;
    }
}
