package com.widgets.api.access;

import java.util.Optional;
import org.springframework.http.HttpStatus;

/** Why a caller may not do what they asked: 401 with {@code UNAUTHENTICATED}, or 403 with {@code FORBIDDEN}. */
public record Refusal(HttpStatus status, String code, String message) {

    static final String HOW_TO_GET_ONE = " The service's first start printed an admin token; mint tokens with"
            + " 'java -jar widgets-api.jar token mint --role=viewer|operator|admin --subject=NAME'.";

    static Refusal unauthenticated(String message) {
        return new Refusal(HttpStatus.UNAUTHORIZED, "UNAUTHENTICATED", message);
    }

    static Refusal forbidden(String message) {
        return new Refusal(HttpStatus.FORBIDDEN, "FORBIDDEN", message);
    }

    /** Whether {@code caller} may do what {@code need} asks; the refusal when not. */
    public static Optional<Refusal> check(Caller caller, OperationRoles.Need need, boolean overWebSocket) {
        if (caller.role().allows(need.role())) {
            return Optional.empty();
        }
        if (!caller.authenticated()) {
            return Optional.of(unauthenticated("'" + need.field() + "' needs a token: send it "
                    + (overWebSocket
                            ? "in the connection_init payload, {\"Authorization\": \"Bearer <token>\"}."
                            : "in the header 'Authorization: Bearer <token>'.")
                    + HOW_TO_GET_ONE));
        }
        return Optional.of(
                forbidden("'" + need.field() + "' needs the " + need.role().label() + " role; "
                        + caller.subject() + " has "
                        + (caller.role() == Role.NONE
                                ? "no role of this service"
                                : "the " + caller.role().label() + " role")
                        + "."));
    }
}
