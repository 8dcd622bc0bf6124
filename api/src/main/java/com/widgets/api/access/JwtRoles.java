package com.widgets.api.access;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.springframework.core.convert.converter.Converter;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * A verified JWT as a caller: the subject from {@code sub}, the role from the configured claim ({@code
 * widgets.security.role-claim}) — a string (several separated by spaces or commas) or a list; the highest role
 * named wins, and a token naming none of viewer, operator and admin may do nothing.
 */
class JwtRoles implements Converter<Jwt, AbstractAuthenticationToken> {

    private final String claim;

    JwtRoles(String claim) {
        this.claim = claim;
    }

    @Override
    public AbstractAuthenticationToken convert(Jwt jwt) {
        String subject = jwt.getSubject();
        if (subject == null || subject.isBlank()) {
            throw new BadCredentialsException("The JWT has no subject (sub).");
        }
        return new Caller.Authentication(new Caller(subject, role(jwt.getClaim(claim)), true));
    }

    private static Role role(Object claimed) {
        List<String> names;
        if (claimed == null) {
            names = List.of();
        } else if (claimed instanceof Collection<?> many) {
            names = many.stream().map(String::valueOf).toList();
        } else {
            names = List.of(String.valueOf(claimed).split("[\\s,]+"));
        }
        Role best = Role.NONE;
        for (String name : names) {
            for (Role role : Role.values()) {
                if (role != Role.NONE
                        && role.name().equals(name.strip().toUpperCase(Locale.ROOT))
                        && role.allows(best)) {
                    best = role;
                }
            }
        }
        return best;
    }
}
