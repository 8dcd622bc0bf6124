package com.widgets.db;

import java.util.Set;

/**
 * The wiring rules and the exact refusals they produce, in one place, so that a single API call and a line of a
 * rewiring file are judged alike and get the same codes and sentences.
 */
final class Rules {

    static final int MAX_NAME = 128;

    private Rules() {}

    static void checkName(String name) {
        if (name == null || name.isBlank()) {
            throw WiringException.invalid("name", "is required");
        }
        int length = name.codePointCount(0, name.length());
        if (length > MAX_NAME) {
            throw WiringException.invalid("name", "is " + length + " characters long; the limit is " + MAX_NAME);
        }
        if (name.codePoints()
                .anyMatch(c -> Character.isISOControl(c)
                        || !Character.isDefined(c)
                        || Character.getType(c) == Character.SURROGATE)) {
            throw WiringException.invalid("name", Texts.quote(name) + " contains characters that cannot be printed");
        }
    }

    static void checkPorts(Set<PortType> ports) {
        if (ports == null || ports.isEmpty()) {
            throw WiringException.invalid("ports", "must name at least one of the port types P, R, Q");
        }
    }

    static void checkPort(String field, PortRef port) {
        if (port == null) {
            throw WiringException.invalid(field, "is required");
        }
        PortRef.serial(field + ".serialNumber", port.serialNumber());
    }

    static void checkNotSelfLink(PortRef a, PortRef b) {
        if (a.serialNumber().equals(b.serialNumber())) {
            throw new WiringException(
                    ErrorCode.SELF_LINK,
                    "A link needs two different widgets, but both ends are on " + Texts.quote(a.serialNumber()) + ".");
        }
    }

    /** The port {@code ref} names on {@code widget} (null when the widget does not exist). */
    static Port existingPort(Widget widget, PortRef ref) {
        if (widget == null) {
            throw notFound(ref.serialNumber());
        }
        return widget.port(ref.port()).orElseThrow(() -> existingPortRefusal(widget, ref));
    }

    /** Why {@code ref} is not a port of {@code widget}, which exists. */
    static WiringException existingPortRefusal(Widget widget, PortRef ref) {
        return new WiringException(
                ErrorCode.PORT_NOT_ON_WIDGET,
                "Widget " + Texts.quote(ref.serialNumber()) + " has no port " + ref.port() + " (it has "
                        + PortType.letters(widget.portTypes()) + ").");
    }

    static WiringException notFound(String serial) {
        return new WiringException(ErrorCode.WIDGET_NOT_FOUND, "Widget " + Texts.quote(serial) + " does not exist.");
    }

    static WiringException busy(PortRef port, PortRef peer) {
        return new WiringException(ErrorCode.PORT_BUSY, "Port " + port + " is already linked to " + peer + ".");
    }

    static WiringException notLinkedTo(PortRef end, PortRef peer, PortRef expected) {
        return new WiringException(
                ErrorCode.NOT_LINKED_TO, "Port " + end + " is linked to " + peer + ", not to " + expected + ".");
    }

    /** Whether adding {@code name} with {@code ports} over {@code existing} is a no-op; refuses a contradiction. */
    static boolean sameWidget(Widget existing, String name, Set<PortType> ports) {
        if (existing.name().equals(name) && existing.portTypes().equals(ports)) {
            return true;
        }
        throw new WiringException(
                ErrorCode.WIDGET_EXISTS,
                "Widget " + Texts.quote(existing.serialNumber()) + " already exists with name "
                        + Texts.quote(existing.name()) + " and ports " + PortType.letters(existing.portTypes()) + ".");
    }
}
