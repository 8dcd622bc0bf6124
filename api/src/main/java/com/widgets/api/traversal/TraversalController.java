package com.widgets.api.traversal;

import com.widgets.api.system.Connection;
import com.widgets.api.system.GraphQlSettings;
import com.widgets.db.Widget;
import java.util.Comparator;
import java.util.List;
import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.stereotype.Controller;

/** What is wired to what: everything reachable from a widget, and a shortest path between two. */
@Controller
class TraversalController {

    private static final String CURSOR = "widget";

    private final Traversal traversal;
    private final GraphQlSettings settings;

    TraversalController(Traversal traversal, GraphQlSettings settings) {
        this.traversal = traversal;
        this.settings = settings;
    }

    @QueryMapping
    Connection<Widget> reachable(
            @Argument String from, @Argument int maxHops, @Argument Integer first, @Argument String after) {
        int size = settings.pageSize(first);
        String start = Connection.decode(CURSOR, after);
        List<Traversal.Reached> page = traversal.reachable(from, maxHops).stream()
                .filter(r -> start == null || r.widget().serialNumber().compareTo(start) > 0)
                .sorted(Comparator.comparing(r -> r.widget().serialNumber()))
                .limit(size + 1L)
                .toList();
        boolean more = page.size() > size;
        List<Traversal.Reached> nodes = more ? page.subList(0, size) : page;
        Connection<Traversal.Reached> reached = Connection.of(
                CURSOR, nodes, r -> r.widget().serialNumber(), Traversal.Reached::hops, more, after != null);
        return new Connection<>(
                reached.edges().stream()
                        .map(e -> new Connection.Edge<>(e.cursor(), e.node().widget(), e.distance()))
                        .toList(),
                reached.pageInfo());
    }

    @QueryMapping
    List<Traversal.PathStep> path(@Argument String from, @Argument String to, @Argument Integer maxHops) {
        return traversal
                .path(from, to, maxHops == null ? settings.maxHops() : maxHops)
                .orElse(null);
    }
}
