package com.widgets.db;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Filtered keyset pages of widgets. Each page is one statement over all shards — a serial-number range, a join of
 * co-located tables on serial_number for the free-port condition — then one read of the widgets found, as Citus
 * requires.
 */
final class WidgetSearch {

    /** The statement for each combination of conditions, built from fixed fragments; values are always bound. */
    private static final String SELECT = "SELECT w.serial_number FROM widget w";

    private static final String FREE_PORT_JOIN =
            " JOIN port p ON p.serial_number = w.serial_number AND p.port = ? AND p.peer_serial IS NULL";

    private final JdbcTemplate jdbc;
    private final WidgetReads reads;

    WidgetSearch(JdbcTemplate jdbc, WidgetReads reads) {
        this.jdbc = jdbc;
        this.reads = reads;
    }

    /** Up to {@code limit} matching widgets after {@code after}, and whether more follow. */
    WidgetPage page(String after, int limit, WidgetFilter filter) {
        StringBuilder sql = new StringBuilder(SELECT);
        List<Object> args = new ArrayList<>();
        if (filter.hasFreePort() != null) {
            sql.append(FREE_PORT_JOIN);
            args.add(filter.hasFreePort().name());
        }
        sql.append(" WHERE w.serial_number > ?");
        args.add(after == null ? "" : after);
        String prefix = filter.serialNumberPrefix();
        if (prefix != null && !prefix.isEmpty()) {
            // A range, not LIKE: serial numbers may contain '_' and the range uses the primary key index.
            sql.append(" AND w.serial_number >= ? AND w.serial_number < ?");
            args.add(prefix);
            args.add(upperBound(prefix));
        }
        if (filter.namePrefix() != null && !filter.namePrefix().isEmpty()) {
            sql.append(" AND starts_with(w.name, ?)");
            args.add(filter.namePrefix());
        }
        sql.append(" ORDER BY w.serial_number LIMIT ?");
        args.add(limit + 1);
        List<String> serials = jdbc.queryForList(sql.toString(), String.class, args.toArray());
        boolean more = serials.size() > limit;
        if (more) {
            serials = serials.subList(0, limit);
        }
        Map<String, Widget> found = reads.many(serials);
        List<Widget> widgets = new ArrayList<>(serials.size());
        for (String serial : serials) {
            Widget widget = found.get(serial);
            if (widget != null) { // removed between the two statements
                widgets.add(widget);
            }
        }
        String last = serials.isEmpty() ? null : serials.get(serials.size() - 1);
        return new WidgetPage(widgets, more, last);
    }

    /** The smallest string greater than every string starting with {@code prefix} (serials are ASCII, "C" order). */
    private static String upperBound(String prefix) {
        char last = prefix.charAt(prefix.length() - 1);
        return prefix.substring(0, prefix.length() - 1) + (char) (last + 1);
    }
}
