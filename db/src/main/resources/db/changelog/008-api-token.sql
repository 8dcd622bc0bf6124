--liquibase formatted sql

--changeset widgets:008-api-token
-- API tokens the service minted, by role. Only a SHA-256 of each token is kept (tokens are 256 random bits, so a
-- fast hash is enough); the token itself is shown once, when it is minted. A plain local table on the Citus
-- coordinator, where every API replica connects. At most one row is the token minted on the first start.
CREATE TABLE api_token (
    id          bigint GENERATED ALWAYS AS IDENTITY,
    token_hash  bytea NOT NULL,
    role        text NOT NULL,
    subject     text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz,
    revoked_at  timestamptz,
    first_start boolean NOT NULL DEFAULT false,
    CONSTRAINT api_token_pkey PRIMARY KEY (id),
    CONSTRAINT api_token_hash_key UNIQUE (token_hash),
    CONSTRAINT api_token_role_check CHECK (role IN ('viewer', 'operator', 'admin'))
);
CREATE UNIQUE INDEX api_token_first_start ON api_token (first_start) WHERE first_start;
