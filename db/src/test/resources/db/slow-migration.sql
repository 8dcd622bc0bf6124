--liquibase formatted sql

--changeset widgets-test:slow-migration
-- Longer than the socket timeout of the pool SocketTimeoutsTest migrates with.
SELECT pg_sleep(2.5);
