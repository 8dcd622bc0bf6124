package com.widgets.api.rest;

import com.widgets.api.access.RequestOrigin;
import com.widgets.api.system.ApiError;
import com.widgets.api.system.InvalidInput;
import com.widgets.db.Change;
import com.widgets.db.ErrorCode;
import com.widgets.db.Link;
import com.widgets.db.Origin;
import com.widgets.db.PortRef;
import com.widgets.db.PortType;
import com.widgets.db.Widget;
import com.widgets.db.WiringException;
import com.widgets.db.WiringStore;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * The seed documents' REST API as thin adapters over the same store: {@code /add}, {@code /delete}, {@code /link},
 * {@code /unlink} and {@code /widgets}, {@code /widgets/{serial}}, {@code /widgets/associations}. Bodies are read as
 * JSON whatever their Content-Type, so the seeds' {@code curl -d} examples work as written.
 */
@RestController
class SeedRestController {

    private final WiringStore store;
    private final JsonBody body;

    SeedRestController(WiringStore store, JsonBody body) {
        this.store = store;
        this.body = body;
    }

    @PostMapping("/add")
    ResponseEntity<Map<String, Object>> add(HttpServletRequest request) {
        SeedRequests.Add add = body.read(request, SeedRequests.Add.class);
        Set<PortType> ports = EnumSet.noneOf(PortType.class);
        if (flag("port_type_p", add.portTypeP())) {
            ports.add(PortType.P);
        }
        if (flag("port_type_r", add.portTypeR())) {
            ports.add(PortType.R);
        }
        if (flag("port_type_q", add.portTypeQ())) {
            ports.add(PortType.Q);
        }
        return added(request, add.serialNumber(), add.name(), ports);
    }

    @PostMapping("/widgets")
    ResponseEntity<Map<String, Object>> create(HttpServletRequest request) {
        SeedRequests.NewWidget widget = body.read(request, SeedRequests.NewWidget.class);
        if (widget.ports() == null) {
            throw new InvalidInput("ports", "is required: a list of port types such as [\"P\", \"R\"]");
        }
        Set<PortType> ports = EnumSet.noneOf(PortType.class);
        for (String port : widget.ports()) {
            if (!ports.add(PortType.of("ports", port))) {
                throw new InvalidInput("ports", "names port " + port + " twice");
            }
        }
        return added(request, widget.serialNumber(), widget.name(), ports);
    }

    @PostMapping("/delete")
    ResponseEntity<Map<String, Object>> delete(HttpServletRequest request) {
        SeedRequests.Delete delete = body.read(request, SeedRequests.Delete.class);
        String serial = PortRef.serial("serial_number", delete.serialNumber());
        Widget widget = existing(serial);
        sameName("name", widget, delete.name());
        return removed(request, serial);
    }

    @DeleteMapping("/widgets/{serial}")
    ResponseEntity<Map<String, Object>> deleteWidget(@PathVariable String serial, HttpServletRequest request) {
        existing(PortRef.serial("serial", serial));
        return removed(request, serial);
    }

    @PostMapping("/link")
    ResponseEntity<Map<String, Object>> link(HttpServletRequest request) {
        SeedRequests.Link link = body.read(request, SeedRequests.Link.class);
        PortRef a = end("widget1", link.widget1());
        PortRef b = end("widget2", link.widget2());
        checkNames(link);
        return linked(request, a, b);
    }

    @PutMapping("/widgets/associations")
    ResponseEntity<Map<String, Object>> associate(HttpServletRequest request) {
        SeedRequests.Association association = body.read(request, SeedRequests.Association.class);
        PortType type = PortType.of("port_type", association.portType());
        PortRef a = new PortRef(PortRef.serial("widget_serial_num", association.widgetSerialNum()), type);
        PortRef b = new PortRef(PortRef.serial("peer_widget_serial_num", association.peerWidgetSerialNum()), type);
        return linked(request, a, b);
    }

    @PostMapping("/unlink")
    ResponseEntity<Map<String, Object>> unlink(HttpServletRequest request) {
        SeedRequests.Link link = body.read(request, SeedRequests.Link.class);
        PortRef end = end("widget1", link.widget1());
        PortRef expected = link.widget2() == null ? null : end("widget2", link.widget2());
        checkNames(link);
        Origin origin = RequestOrigin.of(request);
        Change<Link> change = store.unlink(end, expected, origin);
        Map<String, Object> result = SeedResponses.result(change.changed(), origin);
        result.put("link", change.value() == null ? null : SeedResponses.link(change.value()));
        return ResponseEntity.ok()
                .header(RequestOrigin.REQUEST_ID_HEADER, origin.requestId())
                .body(result);
    }

    private ResponseEntity<Map<String, Object>> added(
            HttpServletRequest request, String serial, String name, Set<PortType> ports) {
        Origin origin = RequestOrigin.of(request);
        Change<Widget> change = store.addWidget(serial, name, ports, origin);
        Map<String, Object> result = SeedResponses.result(change.changed(), origin);
        result.put("widget", SeedResponses.widget(change.value()));
        return ResponseEntity.status(change.changed() ? HttpStatus.CREATED : HttpStatus.OK)
                .header(RequestOrigin.REQUEST_ID_HEADER, origin.requestId())
                .body(result);
    }

    private ResponseEntity<Map<String, Object>> removed(HttpServletRequest request, String serial) {
        Origin origin = RequestOrigin.of(request);
        Change<Widget> change = store.removeWidget(serial, origin);
        Map<String, Object> result = SeedResponses.result(change.changed(), origin);
        result.put("widget", change.value() == null ? null : SeedResponses.widget(change.value()));
        return ResponseEntity.ok()
                .header(RequestOrigin.REQUEST_ID_HEADER, origin.requestId())
                .body(result);
    }

    private ResponseEntity<Map<String, Object>> linked(HttpServletRequest request, PortRef a, PortRef b) {
        Origin origin = RequestOrigin.of(request);
        Change<Link> change = store.link(a, b, origin);
        Map<String, Object> result = SeedResponses.result(change.changed(), origin);
        result.put("link", SeedResponses.link(change.value()));
        return ResponseEntity.status(change.changed() ? HttpStatus.CREATED : HttpStatus.OK)
                .header(RequestOrigin.REQUEST_ID_HEADER, origin.requestId())
                .body(result);
    }

    private Widget existing(String serial) {
        return store.widget(serial)
                .orElseThrow(() ->
                        new WiringException(ErrorCode.WIDGET_NOT_FOUND, "Widget '" + serial + "' does not exist."));
    }

    /** The seed payloads repeat each widget's name; one that differs from the stored name is refused. */
    private void checkNames(SeedRequests.Link link) {
        List<SeedRequests.End> ends = new ArrayList<>();
        ends.add(link.widget1());
        if (link.widget2() != null) {
            ends.add(link.widget2());
        }
        Map<String, Widget> found =
                store.widgets(ends.stream().map(SeedRequests.End::serialNumber).toList());
        for (int i = 0; i < ends.size(); i++) {
            SeedRequests.End end = ends.get(i);
            Widget widget = found.get(end.serialNumber());
            if (widget != null && end.name() != null) {
                sameName("widget" + (i + 1) + ".name", widget, end.name());
            }
        }
    }

    private static void sameName(String field, Widget widget, String name) {
        if (name != null && !name.equals(widget.name())) {
            throw new ApiError(
                    ApiError.Code.NAME_MISMATCH,
                    field + " '" + name + "' does not match widget '" + widget.serialNumber() + "', which is named '"
                            + widget.name() + "'.");
        }
    }

    private static PortRef end(String field, SeedRequests.End end) {
        if (end == null) {
            throw new InvalidInput(field, "is required");
        }
        return new PortRef(
                PortRef.serial(field + ".serial_number", end.serialNumber()),
                PortType.of(field + ".connection_port", end.connectionPort()));
    }

    private static boolean flag(String field, JsonNode value) {
        if (value == null || value.isNull()) {
            return false;
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isString()) {
            switch (value.stringValue().trim().toLowerCase(Locale.ROOT)) {
                case "true":
                    return true;
                case "false":
                    return false;
                default:
                    break;
            }
        }
        throw new InvalidInput(field, "must be \"true\" or \"false\", not " + value);
    }
}
