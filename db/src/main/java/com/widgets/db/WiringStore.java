package com.widgets.db;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The one place that reads and writes wiring: widgets, their ports and links, and the history of every change.
 *
 * <p>Every write is one transaction that appends its history rows. The invariants — a port holds at most one peer,
 * every link is symmetric, no link points at a missing widget — hold under any concurrency because each write is a
 * check-and-set the database arbitrates, never a check in Java followed by a blind write. Refusals are {@link
 * WiringException}s with an {@link ErrorCode}; the SQL stays valid on a Citus cluster sharded on serial number.
 */
public class WiringStore {

    /** The largest page {@link #widgetsAfter} returns. */
    public static final int MAX_PAGE = 1000;

    private final WidgetReads reads;
    private final WidgetWrites widgets;
    private final LinkWrites links;

    public WiringStore(JdbcTemplate jdbc, PlatformTransactionManager transactions) {
        TransactionTemplate tx = new TransactionTemplate(transactions);
        this.reads = new WidgetReads(jdbc);
        this.widgets = new WidgetWrites(jdbc, tx, reads);
        this.links = new LinkWrites(jdbc, tx, reads);
    }

    /**
     * Adds a widget; adding one that exists with the same name and ports changes nothing.
     *
     * @throws WiringException {@code INVALID_INPUT}, or {@code WIDGET_EXISTS} when it exists with another name or ports
     */
    public Change<Widget> addWidget(String serialNumber, String name, Set<PortType> ports, Origin origin) {
        PortRef.serial("serialNumber", serialNumber);
        checkName(name);
        if (ports == null || ports.isEmpty()) {
            throw WiringException.invalid("ports", "must name at least one of the port types P, R, Q");
        }
        return widgets.add(serialNumber, name, Set.copyOf(ports), origin);
    }

    /** Removes a widget and every link to it, freeing its peers' ports; the value is the widget as it was. */
    public Change<Widget> removeWidget(String serialNumber, Origin origin) {
        PortRef.serial("serialNumber", serialNumber);
        return widgets.remove(serialNumber, origin);
    }

    /**
     * Links two free ports of two widgets; linking an existing link again changes nothing.
     *
     * @throws WiringException {@code WIDGET_NOT_FOUND}, {@code PORT_NOT_ON_WIDGET}, {@code SELF_LINK}, {@code
     *     PORT_BUSY}
     */
    public Change<Link> link(PortRef a, PortRef b, Origin origin) {
        checkPort("a", a);
        checkPort("b", b);
        return links.link(a, b, origin);
    }

    /**
     * Unlinks a port from its peer, if it has one; the value is the removed link, or null when the port was free.
     *
     * @param expectedPeer when given, unlink only if this is the current peer ({@code NOT_LINKED_TO} otherwise)
     */
    public Change<Link> unlink(PortRef end, PortRef expectedPeer, Origin origin) {
        checkPort("end", end);
        if (expectedPeer != null) {
            checkPort("expectedPeer", expectedPeer);
        }
        return links.unlink(end, expectedPeer, origin);
    }

    public Optional<Widget> widget(String serialNumber) {
        return read(() -> reads.one(serialNumber));
    }

    /** The widgets that exist among these serial numbers, read in one statement. */
    public Map<String, Widget> widgets(Collection<String> serialNumbers) {
        return read(() -> reads.many(serialNumbers));
    }

    /** Up to {@code limit} widgets in serial-number order after {@code afterSerialNumber} (null for the start). */
    public List<Widget> widgetsAfter(String afterSerialNumber, int limit) {
        if (limit < 1 || limit > MAX_PAGE) {
            throw WiringException.invalid("first", "must be between 1 and " + MAX_PAGE + ", not " + limit);
        }
        return read(() -> reads.page(afterSerialNumber, limit));
    }

    private static void checkPort(String field, PortRef port) {
        if (port == null) {
            throw WiringException.invalid(field, "is required");
        }
        PortRef.serial(field + ".serialNumber", port.serialNumber());
    }

    private static void checkName(String name) {
        if (name == null || name.isBlank()) {
            throw WiringException.invalid("name", "is required");
        }
        int length = name.codePointCount(0, name.length());
        if (length > 128) {
            throw WiringException.invalid("name", "is " + length + " characters long; the limit is 128");
        }
        if (name.codePoints()
                .anyMatch(c -> Character.isISOControl(c)
                        || !Character.isDefined(c)
                        || Character.getType(c) == Character.SURROGATE)) {
            throw WiringException.invalid("name", Texts.quote(name) + " contains characters that cannot be printed");
        }
    }

    private static <T> T read(java.util.function.Supplier<T> query) {
        try {
            return query.get();
        } catch (DataAccessException e) {
            throw WiringException.unavailable(e);
        }
    }
}
