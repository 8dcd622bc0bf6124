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

    /** Spring Security authorities: this role's and every role it includes, so path rules need no hierarchy. */
    List<GrantedAuthority> authorities() {
        return java.util.Arrays.stream(values())
                .filter(role -> role != NONE && allows(role))
                .<GrantedAuthority>map(role -> new SimpleGrantedAuthority("ROLE_" + role.name()))
                .toList();
    }
}
