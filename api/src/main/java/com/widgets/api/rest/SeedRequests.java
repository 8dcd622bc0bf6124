package com.widgets.api.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** The request bodies of the seed documents' REST API, field for field. */
final class SeedRequests {

    private SeedRequests() {}

    /** {@code POST /add}: the port flags are the strings "true"/"false" (JSON booleans are accepted too). */
    record Add(
            String name,
            @JsonProperty("serial_number") String serialNumber,
            @JsonProperty("port_type_p") JsonNode portTypeP,
            @JsonProperty("port_type_r") JsonNode portTypeR,
            @JsonProperty("port_type_q") JsonNode portTypeQ) {}

    /** {@code POST /delete}. */
    record Delete(
            String name, @JsonProperty("serial_number") String serialNumber) {}

    /** One side of {@code POST /link} and {@code POST /unlink}. */
    record End(
            String name,
            @JsonProperty("serial_number") String serialNumber,
            @JsonProperty("connection_port") String connectionPort) {}

    /** {@code POST /link}, {@code POST /unlink} (where {@code widget2}, when given, must be the current peer). */
    record Link(End widget1, End widget2) {}

    /** {@code POST /widgets}. */
    record NewWidget(
            String name, @JsonProperty("serial_number") String serialNumber, List<String> ports) {}

    /** {@code PUT /widgets/associations}: links {@code port_type} of one widget to the same port type of the other. */
    record Association(
            @JsonProperty("port_type") String portType,
            @JsonProperty("widget_serial_num") String widgetSerialNum,
            @JsonProperty("peer_widget_serial_num") String peerWidgetSerialNum) {}
}
