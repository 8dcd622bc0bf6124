package com.widgets.api.rest;

import com.widgets.api.system.InvalidInput;
import com.widgets.api.system.UnsupportedContentType;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a REST request body as JSON. It must be declared JSON ({@code Content-Type: application/json}): the types a
 * page on another site may send without asking the browser first — {@code text/plain}, forms, as the seeds' {@code
 * curl -d} examples label JSON — are refused with 415, so no other site can write here. Text that is not JSON is a {@link Malformed} with a sentence saying where; an unknown field or a
 * value of the wrong type is an {@link InvalidInput} naming the field.
 */
@Component
class JsonBody {

    /** A body that is not the JSON the endpoint expects. */
    static final class Malformed extends RuntimeException {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    private final JsonMapper json;

    JsonBody(JsonMapper json) {
        this.json = json;
    }

    private static final List<MediaType> JSON =
            List.of(MediaType.APPLICATION_JSON, new MediaType("application", "*+json"));

    <T> T read(HttpServletRequest request, Class<T> type) {
        UnsupportedContentType.require(
                request,
                JSON,
                "send the body as JSON with Content-Type: application/json (curl: -H 'Content-Type: application/json').");
        byte[] bytes;
        try {
            bytes = request.getInputStream().readAllBytes();
        } catch (IOException e) {
            throw new Malformed("The request body could not be read: " + e.getMessage());
        }
        if (bytes.length == 0) {
            throw new Malformed("The request body is empty; send a JSON object.");
        }
        T value;
        try {
            // Jackson 3 ignores unknown fields by default; here a typo ("serial_numbr") must not pass silently.
            value = json.readerFor(type)
                    .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .readValue(bytes);
        } catch (UnrecognizedPropertyException e) {
            throw new InvalidInput(
                    path(e),
                    "is not a field of this request; it has "
                            + e.getKnownPropertyIds().stream()
                                    .map(String::valueOf)
                                    .sorted()
                                    .collect(Collectors.joining(", ")));
        } catch (DatabindException e) {
            if (e.getPath().isEmpty()) {
                throw new Malformed("The request body is not the JSON object this endpoint expects.");
            }
            throw new InvalidInput(path(e), "has a value of the wrong type");
        } catch (JacksonException e) {
            throw new Malformed("The request body is not valid JSON: " + e.getOriginalMessage() + where(e) + ".");
        }
        if (value == null) {
            throw new Malformed("The request body is empty; send a JSON object.");
        }
        return value;
    }

    private static String path(DatabindException e) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference reference : e.getPath()) {
            if (reference.getPropertyName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String where(JacksonException e) {
        TokenStreamLocation location = e.getLocation();
        return location == null || location.getLineNr() < 0
                ? ""
                : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }
}
