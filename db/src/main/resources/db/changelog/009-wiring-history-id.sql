--liquibase formatted sql

--changeset widgets:009-wiring-history-id
-- The live-updates feed reads the rows committed since its last look as "id above the highest it has seen" (see
-- ChangeFeed). History ids come from one sequence, so new rows always land at the index's right edge: the cheapest
-- kind of btree insert.
CREATE INDEX wiring_history_id ON wiring_history (id);
