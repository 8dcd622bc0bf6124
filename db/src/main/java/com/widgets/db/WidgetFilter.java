package com.widgets.db;

/**
 * Conditions on a page of widgets; null parts do not filter.
 *
 * @param serialNumberPrefix only serial numbers starting with this
 * @param namePrefix only names starting with this (case-sensitive)
 * @param hasFreePort only widgets that have this port and it is free
 */
public record WidgetFilter(String serialNumberPrefix, String namePrefix, PortType hasFreePort) {

    /** No condition: every widget. */
    public static final WidgetFilter NONE = new WidgetFilter(null, null, null);
}
