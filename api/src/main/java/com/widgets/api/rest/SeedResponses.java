package com.widgets.api.rest;

import com.widgets.db.Link;
import com.widgets.db.Origin;
import com.widgets.db.Port;
import com.widgets.db.PortType;
import com.widgets.db.Widget;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The REST adapters' response bodies, in the seeds' snake_case vocabulary. */
final class SeedResponses {

    private SeedResponses() {}

    static Map<String, Object> result(boolean changed, Origin origin) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("changed", changed);
        result.put("request_id", origin.requestId());
        return result;
    }

    static Map<String, Object> widget(Widget widget) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", widget.name());
        json.put("serial_number", widget.serialNumber());
        for (PortType type : PortType.values()) {
            json.put(
                    "port_type_" + type.name().toLowerCase(Locale.ROOT),
                    widget.port(type).isPresent());
        }
        List<Map<String, Object>> ports = new ArrayList<>();
        for (Port port : widget.ports()) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("port", port.type().name());
            p.put("peer_serial_number", port.isFree() ? null : port.peer().serialNumber());
            p.put("peer_port", port.isFree() ? null : port.peer().port().name());
            ports.add(p);
        }
        json.put("ports", ports);
        json.put("created_at", widget.createdAt().toString());
        return json;
    }

    static Map<String, Object> link(Link link) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put(
                "widget1",
                Map.of(
                        "serial_number",
                        link.a().serialNumber(),
                        "connection_port",
                        link.a().port().name()));
        json.put(
                "widget2",
                Map.of(
                        "serial_number",
                        link.b().serialNumber(),
                        "connection_port",
                        link.b().port().name()));
        return json;
    }
}
