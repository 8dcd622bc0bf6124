package com.widgets.api.access;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import tools.jackson.databind.json.JsonMapper;

/**
 * The security filters' 401 and 403 as JSON in the shape of the door that was knocked on: GraphQL errors on {@code
 * /graphql}, {@code {"code", "message"}} everywhere else — never an empty body or an HTML page.
 */
class AccessRefusals implements AuthenticationEntryPoint, AccessDeniedHandler {

    private final JsonMapper json;

    AccessRefusals(JsonMapper json) {
        this.json = json;
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
            throws IOException {
        boolean presented = request.getHeader("Authorization") != null;
        String message = presented
                ? (e.getMessage() == null ? "The bearer token is not valid." : e.getMessage())
                        + " Send 'Authorization: Bearer <token>' with a valid token."
                : request.getMethod() + " " + request.getRequestURI()
                        + " needs a token: send the header 'Authorization: Bearer <token>'." + Refusal.HOW_TO_GET_ONE;
        response.setHeader("WWW-Authenticate", presented ? "Bearer error=\"invalid_token\"" : "Bearer");
        write(request, response, Refusal.unauthenticated(message));
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException e)
            throws IOException {
        Caller caller = Caller.of(request);
        String message = request.getMethod() + " " + request.getRequestURI() + " needs "
                + needed(request).label() + " role; " + caller.subject() + " has "
                + (caller.role() == Role.NONE
                        ? "no role of this service"
                        : "the " + caller.role().label() + " role")
                + ".";
        response.setHeader("WWW-Authenticate", "Bearer error=\"insufficient_scope\"");
        write(request, response, Refusal.forbidden(message));
    }

    /** The role a refused request needed, as the path rules say, for the message. */
    private static Role needed(HttpServletRequest request) {
        Object needed = request.getAttribute(AccessRules.NEEDED);
        return needed instanceof Role role ? role : Role.VIEWER;
    }

    void write(HttpServletRequest request, HttpServletResponse response, Refusal refusal) throws IOException {
        Object body;
        if (request.getRequestURI().endsWith("/graphql")) {
            body = Map.of(
                    "errors",
                    List.of(Map.of(
                            "message",
                            refusal.message(),
                            "extensions",
                            Map.of(
                                    "classification",
                                    refusal.status() == org.springframework.http.HttpStatus.UNAUTHORIZED
                                            ? "UNAUTHORIZED"
                                            : "FORBIDDEN",
                                    "code",
                                    refusal.code()))));
        } else {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("code", refusal.code());
            error.put("message", refusal.message());
            body = error;
        }
        response.setStatus(refusal.status().value());
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        json.writeValue(response.getOutputStream(), body);
    }
}
