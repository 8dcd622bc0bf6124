package com.widgets.api.system;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

/**
 * A Relay cursor connection: one page of nodes, each with an opaque cursor, and where the page sits.
 *
 * <p>Cursors are the page's keyset position (a serial number or a history id) under a kind prefix, base64-encoded so
 * clients treat them as opaque.
 */
public record Connection<T>(List<Edge<T>> edges, PageInfo pageInfo) {

    /** One node of a page. {@code distance} is only set by {@code reachable}. */
    public record Edge<T>(String cursor, T node, Integer distance) {}

    /** Where a page sits; {@code endCursor} is what to pass as {@code after} for the next one. */
    public record PageInfo(boolean hasNextPage, boolean hasPreviousPage, String startCursor, String endCursor) {}

    /** A page of {@code nodes}; {@code key} gives the keyset value a cursor stands for. */
    public static <T> Connection<T> of(
            String kind,
            List<T> nodes,
            Function<T, String> key,
            Function<T, Integer> distance,
            boolean more,
            boolean afterGiven) {
        List<Edge<T>> edges = new ArrayList<>(nodes.size());
        for (T node : nodes) {
            edges.add(new Edge<>(encode(kind, key.apply(node)), node, distance.apply(node)));
        }
        return new Connection<>(
                edges,
                new PageInfo(
                        more,
                        afterGiven,
                        edges.isEmpty() ? null : edges.get(0).cursor(),
                        edges.isEmpty() ? null : edges.get(edges.size() - 1).cursor()));
    }

    public static String encode(String kind, String value) {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString((kind + ":" + value).getBytes(StandardCharsets.UTF_8));
    }

    /** The keyset value of an {@code after} cursor of this kind; null when none was given. */
    public static String decode(String kind, String cursor) {
        if (cursor == null) {
            return null;
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (text.startsWith(kind + ":")) {
                return text.substring(kind.length() + 1);
            }
        } catch (IllegalArgumentException e) {
            // not base64: reported below like any other foreign cursor
        }
        throw new InvalidInput("after", "is not a cursor of this list; pass a cursor or endCursor it returned");
    }
}
