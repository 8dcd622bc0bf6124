package com.widgets.api.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The tokens this service mints, kept as SHA-256 hashes in {@code api_token}: mint one for a role, find a presented
 * one, revoke, list. A token is {@value #PREFIX} and 43 characters of 256 random bits, base64url.
 */
public class ApiTokens {

    static final String PREFIX = "wgt_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final JdbcClient jdbc;

    public ApiTokens(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A minted token as stored (never the token itself). */
    public record ApiToken(
            long id, Role role, String subject, Instant createdAt, Instant expiresAt, Instant revokedAt) {

        boolean validAt(Instant now) {
            return revokedAt == null && (expiresAt == null || expiresAt.isAfter(now));
        }
    }

    /** A token just minted: the only time its secret is known. */
    public record Minted(ApiToken token, String secret) {}

    /** Mints a token for {@code role}, recorded for {@code subject}, valid for {@code validFor} (null: until revoked). */
    public Minted mint(Role role, String subject, Duration validFor) {
        String secret = newSecret();
        OffsetDateTime expires =
                validFor == null ? null : OffsetDateTime.now(ZoneOffset.UTC).plus(validFor);
        long id = jdbc.sql("""
                        INSERT INTO api_token (token_hash, role, subject, expires_at)
                        VALUES (:hash, :role, :subject, :expires) RETURNING id""")
                .param("hash", hash(secret))
                .param("role", role.label())
                .param("subject", subject)
                .param("expires", expires)
                .query(Long.class)
                .single();
        return new Minted(byId(id).orElseThrow(), secret);
    }

    /** The admin token of the very first start, minted once ever; empty when one was minted before. */
    Optional<Minted> mintFirstStart() {
        String secret = newSecret();
        List<Long> id =
                jdbc.sql("""
                        INSERT INTO api_token (token_hash, role, subject, first_start)
                        VALUES (:hash, 'admin', 'admin', true)
                        ON CONFLICT (first_start) WHERE first_start DO NOTHING RETURNING id""").param("hash", hash(secret)).query(Long.class).list();
        return id.stream().findFirst().map(minted -> new Minted(byId(minted).orElseThrow(), secret));
    }

    /** The stored token a caller presented, valid or not; empty when this service never minted it. */
    Optional<ApiToken> find(String secret) {
        return jdbc.sql(SELECT + " WHERE token_hash = :hash")
                .param("hash", hash(secret))
                .query(ApiTokens::token)
                .optional();
    }

    /** Revokes a token; false when there is none with this id or it was revoked before. */
    public boolean revoke(long id) {
        return jdbc.sql("UPDATE api_token SET revoked_at = now() WHERE id = :id AND revoked_at IS NULL")
                        .param("id", id)
                        .update()
                == 1;
    }

    /** Every token minted, oldest first. */
    public List<ApiToken> list() {
        return jdbc.sql(SELECT + " ORDER BY id").query(ApiTokens::token).list();
    }

    private Optional<ApiToken> byId(long id) {
        return jdbc.sql(SELECT + " WHERE id = :id")
                .param("id", id)
                .query(ApiTokens::token)
                .optional();
    }

    private static final String SELECT = "SELECT id, role, subject, created_at, expires_at, revoked_at FROM api_token";

    private static ApiToken token(ResultSet row, int n) throws SQLException {
        return new ApiToken(
                row.getLong("id"),
                Role.of(row.getString("role")),
                row.getString("subject"),
                instant(row.getTimestamp("created_at")),
                instant(row.getTimestamp("expires_at")),
                instant(row.getTimestamp("revoked_at")));
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    private static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Every request's token is hashed; a copy of this digest costs less than looking SHA-256 up each time. */
    private static final MessageDigest SHA_256;

    static {
        try {
            SHA_256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    static byte[] hash(String secret) {
        MessageDigest digest;
        try {
            digest = (MessageDigest) SHA_256.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's SHA-256 can be cloned", e);
        }
        return digest.digest(secret.getBytes(StandardCharsets.UTF_8));
    }
}
