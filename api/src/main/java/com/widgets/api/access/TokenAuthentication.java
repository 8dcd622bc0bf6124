package com.widgets.api.access;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.CredentialsExpiredException;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;

/**
 * Bearer tokens of this service: the configured admin token ({@code widgets.security.admin-token}) and the tokens
 * it minted. Anything else is left to the JWT provider when one is configured, and refused when none is.
 */
class TokenAuthentication implements AuthenticationProvider {

    private final ApiTokens tokens;
    private final byte[] adminHash;
    private final boolean jwtConfigured;
    private final Cache<String, Optional<ApiTokens.ApiToken>> recent;

    TokenAuthentication(ApiTokens tokens, SecuritySettings settings, boolean jwtConfigured) {
        this.tokens = tokens;
        this.adminHash = settings.hasAdminToken() ? ApiTokens.hash(settings.adminToken()) : null;
        this.jwtConfigured = jwtConfigured;
        this.recent = Caffeine.newBuilder()
                .maximumSize(10_000)
                .expireAfterWrite(settings.tokenCache())
                .build();
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return BearerTokenAuthenticationToken.class.isAssignableFrom(authentication);
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        String token = ((BearerTokenAuthenticationToken) authentication).getToken();
        byte[] hash = ApiTokens.hash(token);
        if (adminHash != null && MessageDigest.isEqual(hash, adminHash)) {
            return new Caller.Authentication(new Caller("admin", Role.ADMIN, true));
        }
        if (!token.startsWith(ApiTokens.PREFIX)) {
            if (jwtConfigured) {
                return null;
            }
            throw new BadCredentialsException("The bearer token is not one this service issued.");
        }
        ApiTokens.ApiToken stored = recent.get(HexFormat.of().formatHex(hash), key -> tokens.find(token))
                .orElseThrow(() -> new BadCredentialsException("The bearer token is not one this service issued."));
        if (stored.revokedAt() != null) {
            throw new BadCredentialsException("The bearer token was revoked.");
        }
        if (!stored.validAt(Instant.now())) {
            throw new CredentialsExpiredException("The bearer token expired at " + stored.expiresAt() + ".");
        }
        return new Caller.Authentication(new Caller(stored.subject(), stored.role(), true));
    }

    /** Forgets a token at once in this process (others forget it within {@code widgets.security.token-cache}). */
    void forget(String token) {
        recent.invalidate(HexFormat.of().formatHex(ApiTokens.hash(token)));
    }
}
