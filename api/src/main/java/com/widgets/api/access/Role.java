package com.widgets.api.access;

import java.util.List;
import java.util.Locale;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/** What a caller may do; each role may do everything the ones before it may. */
public enum Role {
    /** No role: an anonymous caller, or a signed-in one whose token names no role of this service. */
    NONE,
    /** Queries, subscriptions, history, job status and reject reports. */
    VIEWER,
    /** Also mutations, uploads, stopping and restarting jobs. */
    OPERATOR,
    /** Also jobs on server-side files, the export, tokens, Actuator beyond health: everything. */
    ADMIN;

    /** Whether this role may do what {@code needed} may. */
    public boolean allows(Role needed) {
        return compareTo(needed) >= 0;
    }

    /** The role by its lower-case name, as tokens, claims and the command line spell it. */
    public static Role of(String name) {
        for (Role role : values()) {
            if (role != NONE && role.name().equalsIgnoreCase(name.strip())) {
                return role;
            }
        }
        throw new IllegalArgumentException("'" + name + "' is not a role: viewer, operator or admin");
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Spring Security authorities: this role's and every role it includes, so path rules need no hierarchy. Built once
     * per role: every request's authentication asks for them.
     */
    List<GrantedAuthority> authorities() {
        return Authorities.OF[ordinal()];
    }

    /** Held apart from the enum's constants, which cannot read {@code values()} while they are being built. */
    private static final class Authorities {
        static final List<GrantedAuthority>[] OF = build();

        @SuppressWarnings("unchecked")
        private static List<GrantedAuthority>[] build() {
            Role[] roles = values();
            List<GrantedAuthority>[] of = new List[roles.length];
            for (Role role : roles) {
                of[role.ordinal()] = java.util.Arrays.stream(roles)
                        .filter(included -> included != NONE && role.allows(included))
                        .<GrantedAuthority>map(included -> new SimpleGrantedAuthority("ROLE_" + included.name()))
                        .toList();
            }
            return of;
        }
    }
}
