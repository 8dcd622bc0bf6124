package com.widgets.api.system;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;

/**
 * A request body whose declared type the endpoint does not take — 415. Writes take only the types they declare, and
 * none of the types a page on another site may send without asking first ({@code text/plain}, forms).
 */
public class UnsupportedContentType extends RuntimeException {

    private final List<MediaType> accepted;

    public UnsupportedContentType(String message, List<MediaType> accepted) {
        super(message, null, false, false);
        this.accepted = accepted;
    }

    public List<MediaType> accepted() {
        return accepted;
    }

    /** Refuses the request unless its Content-Type is one of {@code accepted}; {@code hint} says how to send one. */
    public static void require(HttpServletRequest request, List<MediaType> accepted, String hint) {
        String given = request.getContentType();
        if (given != null) {
            try {
                MediaType type = MediaType.parseMediaType(given);
                if (accepted.stream().anyMatch(one -> one.includes(type))) {
                    return;
                }
            } catch (InvalidMediaTypeException malformed) {
                // refused below, naming what was given
            }
        }
        throw new UnsupportedContentType(
                (given == null
                                ? request.getMethod() + " " + request.getRequestURI() + " needs a Content-Type header"
                                : "Content-Type '" + given + "' is not taken by " + request.getMethod() + " "
                                        + request.getRequestURI())
                        + "; " + hint,
                accepted);
    }
}
