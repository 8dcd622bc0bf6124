package com.widgets.api.access;

import graphql.GraphQLContext;
import jakarta.servlet.ServletRequest;
import java.util.Map;
import org.springframework.security.authentication.AbstractAuthenticationToken;

/**
 * Who is calling and what they may do: the subject of their token (the actor their changes are recorded for) and
 * its role. Put on each HTTP request as an attribute, and on a WebSocket session at its {@code connection_init}.
 */
public record Caller(String subject, Role role, boolean authenticated) {

    /** The request or WebSocket session attribute that holds the caller. */
    public static final String ATTRIBUTE = Caller.class.getName();

    static final String ANONYMOUS = "anonymous";

    static Caller anonymous(Role role) {
        return new Caller(ANONYMOUS, role, false);
    }

    /** The caller of a request that passed the security filters; anonymous without a role if it did not. */
    public static Caller of(ServletRequest request) {
        return request.getAttribute(ATTRIBUTE) instanceof Caller caller ? caller : anonymous(Role.NONE);
    }

    /** The caller of a GraphQL operation; anonymous without a role when none was put in its context (slice tests). */
    public static Caller of(GraphQLContext context) {
        return context.get(ATTRIBUTE) instanceof Caller caller ? caller : anonymous(Role.NONE);
    }

    /** The caller kept in request or session attributes; anonymous without a role when there is none. */
    public static Caller of(Map<String, Object> attributes) {
        return attributes.get(ATTRIBUTE) instanceof Caller caller ? caller : anonymous(Role.NONE);
    }

    /**
     * The actor to record for this caller's changes: their subject, or for an admin acting for someone the name
     * they give ({@code X-Actor}); anyone else's {@code X-Actor} is ignored, so the history cannot be forged.
     */
    public String actor(String actingFor) {
        if (role == Role.ADMIN && actingFor != null && !actingFor.isBlank()) {
            return actingFor;
        }
        return subject;
    }

    /** An authenticated caller as Spring Security holds it: the role's authorities, the subject as its name. */
    static final class Authentication extends AbstractAuthenticationToken {

        private final Caller caller;

        Authentication(Caller caller) {
            super(caller.role().authorities());
            this.caller = caller;
            setAuthenticated(true);
        }

        Caller caller() {
            return caller;
        }

        @Override
        public Object getCredentials() {
            return "";
        }

        @Override
        public Object getPrincipal() {
            return caller.subject();
        }
    }
}
