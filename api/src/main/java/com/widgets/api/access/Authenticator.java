package com.widgets.api.access;

import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;

/**
 * Turns a bearer token into a caller — the service's own tokens, the admin token, or a JWT when an issuer is
 * configured. The HTTP filters and the WebSocket's {@code connection_init} both go through it.
 */
class Authenticator {

    private final AuthenticationManager manager;

    Authenticator(AuthenticationManager manager) {
        this.manager = manager;
    }

    AuthenticationManager manager() {
        return manager;
    }

    /** The caller this token stands for; an {@link AuthenticationException} saying why when it stands for none. */
    Caller authenticate(String token) {
        if (token == null || token.isBlank()) {
            throw new org.springframework.security.authentication.BadCredentialsException("The bearer token is empty.");
        }
        return ((Caller.Authentication) manager.authenticate(new BearerTokenAuthenticationToken(token.strip())))
                .caller();
    }

    /** The token of an {@code Authorization: Bearer …} value; null when the value is not one. */
    static String bearer(Object header) {
        if (header == null) {
            return null;
        }
        String value = header.toString().strip();
        return value.regionMatches(true, 0, "Bearer ", 0, 7)
                ? value.substring(7).strip()
                : null;
    }
}
