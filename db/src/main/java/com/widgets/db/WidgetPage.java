package com.widgets.db;

import java.util.List;

/**
 * One page of widgets in serial-number order.
 *
 * @param hasMore whether widgets follow this page
 * @param lastSerialNumber where the next page starts after (the last serial number read; null for an empty page),
 *     kept even when that widget was removed while the page was read
 */
public record WidgetPage(List<Widget> widgets, boolean hasMore, String lastSerialNumber) {

    public WidgetPage {
        widgets = List.copyOf(widgets);
    }
}
