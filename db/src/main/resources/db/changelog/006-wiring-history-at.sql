--liquibase formatted sql

--changeset widgets:006-wiring-history-at
-- History older than widgets.history.retention is pruned by age. Rows arrive in time order, so a BRIN index on
-- `at` (a few pages for millions of rows, next to nothing to maintain on insert) lets a prune read only the oldest
-- block ranges instead of the whole table.
CREATE INDEX wiring_history_at ON wiring_history USING brin (at);
