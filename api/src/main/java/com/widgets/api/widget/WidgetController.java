package com.widgets.api.widget;

import com.widgets.api.access.RequestOrigin;
import com.widgets.api.system.Connection;
import com.widgets.api.system.GraphQlSettings;
import com.widgets.api.system.InvalidInput;
import com.widgets.db.Change;
import com.widgets.db.Port;
import com.widgets.db.PortRef;
import com.widgets.db.PortType;
import com.widgets.db.Widget;
import com.widgets.db.WidgetFilter;
import com.widgets.db.WidgetPage;
import com.widgets.db.WiringStore;
import graphql.GraphQLContext;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.BatchMapping;
import org.springframework.graphql.data.method.annotation.MutationMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.stereotype.Controller;

/** Widgets: reading one or a page of them, adding and removing them, their neighbors and the widget at a port end. */
@Controller
class WidgetController {

    static final String CURSOR = "widget";

    private final WiringStore store;
    private final GraphQlSettings settings;

    WidgetController(WiringStore store, GraphQlSettings settings) {
        this.store = store;
        this.settings = settings;
    }

    record AddWidgetInput(String serialNumber, String name, List<PortType> ports) {}

    record RemoveWidgetInput(String serialNumber) {}

    record AddWidgetPayload(boolean changed, Widget widget, String requestId) {}

    record RemoveWidgetPayload(boolean changed, String serialNumber, Widget widget, String requestId) {}

    @QueryMapping
    Widget widget(@Argument String serialNumber) {
        return store.widget(PortRef.serial("serialNumber", serialNumber)).orElse(null);
    }

    @QueryMapping
    Connection<Widget> widgets(@Argument Integer first, @Argument String after, @Argument WidgetFilter filter) {
        int size = settings.pageSize(first);
        WidgetPage page = store.widgetsAfter(Connection.decode(CURSOR, after), size, filter);
        return Connection.of(
                CURSOR, page.widgets(), Widget::serialNumber, widget -> null, page.hasMore(), after != null);
    }

    @MutationMapping
    AddWidgetPayload addWidget(@Argument AddWidgetInput input, GraphQLContext context) {
        var origin = RequestOrigin.of(context);
        Set<PortType> ports = EnumSet.noneOf(PortType.class);
        for (PortType port : input.ports()) {
            if (!ports.add(port)) {
                throw new InvalidInput("input.ports", "names port " + port + " twice");
            }
        }
        Change<Widget> change = store.addWidget(input.serialNumber(), input.name(), ports, origin);
        return new AddWidgetPayload(change.changed(), change.value(), origin.requestId());
    }

    @MutationMapping
    RemoveWidgetPayload removeWidget(@Argument RemoveWidgetInput input, GraphQLContext context) {
        var origin = RequestOrigin.of(context);
        Change<Widget> change = store.removeWidget(input.serialNumber(), origin);
        return new RemoveWidgetPayload(change.changed(), input.serialNumber(), change.value(), origin.requestId());
    }

    /** The linked widgets of a whole level of widgets, read in one statement. */
    @BatchMapping
    Map<Widget, List<Widget>> neighbors(List<Widget> widgets) {
        return linkedWidgets(widgets, widget -> widget);
    }

    /** The widget of every port end at one level of the response, read in one statement. */
    @BatchMapping(typeName = "PortEnd", field = "widget")
    Map<PortRef, Widget> widget(List<PortRef> ends) {
        Set<String> serials = new LinkedHashSet<>();
        ends.forEach(end -> serials.add(end.serialNumber()));
        Map<String, Widget> found = store.widgets(serials);
        Map<PortRef, Widget> result = new HashMap<>();
        for (PortRef end : ends) {
            Widget widget = found.get(end.serialNumber());
            if (widget != null) {
                result.put(end, widget);
            }
        }
        return result;
    }

    /** The widgets a removed widget was linked to, as they are now (their ports freed). */
    @BatchMapping(typeName = "RemoveWidgetPayload")
    Map<RemoveWidgetPayload, List<Widget>> formerNeighbors(List<RemoveWidgetPayload> payloads) {
        return linkedWidgets(payloads, RemoveWidgetPayload::widget);
    }

    private <K> Map<K, List<Widget>> linkedWidgets(List<K> keys, java.util.function.Function<K, Widget> widgetOf) {
        Map<K, Set<String>> peers = new LinkedHashMap<>();
        Set<String> all = new LinkedHashSet<>();
        for (K key : keys) {
            Set<String> serials = new LinkedHashSet<>();
            Widget widget = widgetOf.apply(key);
            if (widget != null) {
                for (Port port : widget.ports()) {
                    if (!port.isFree()) {
                        serials.add(port.peer().serialNumber());
                    }
                }
            }
            peers.put(key, serials);
            all.addAll(serials);
        }
        Map<String, Widget> found = all.isEmpty() ? Map.of() : store.widgets(all);
        Map<K, List<Widget>> result = new LinkedHashMap<>();
        peers.forEach((key, serials) -> {
            List<Widget> linked = new ArrayList<>(serials.size());
            for (String serial : serials) {
                Widget peer = found.get(serial);
                if (peer != null) {
                    linked.add(peer);
                }
            }
            result.put(key, linked);
        });
        return result;
    }
}
