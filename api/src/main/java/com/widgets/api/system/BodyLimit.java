package com.widgets.api.system;

import org.springframework.util.unit.DataSize;

/**
 * A request-body limit of its own for the requests to one path (and below it), instead of {@code
 * widgets.graphql.max-request-size}: uploads, say. A bean of this type is picked up by the request size filter.
 *
 * @param path the path the limit applies to, like {@code /rewiring/jobs}
 * @param max the largest body
 * @param setting the setting that sets it, named in the refusal
 */
public record BodyLimit(String path, DataSize max, String setting) {

    /** Thrown by a request body stream read past its limit; the message names the setting. */
    public static final class Exceeded extends java.io.IOException {
        Exceeded(String message) {
            super(message);
        }
    }

    boolean appliesTo(String requestPath) {
        return requestPath.equals(path) || requestPath.startsWith(path + "/");
    }
}
