--liquibase formatted sql

--changeset widgets:010-wiring-history-at-btree
-- The live-updates feed asks every 100 ms for the rows of transactions that started since its last look (`at >= …`)
-- or that were running then and have finished (`at = ANY(…)`); a replay reads in (at, id) order. A BRIN index cannot
-- answer those precisely: block ranges filled since the last VACUUM are not summarised, so every poll re-read all of
-- them — on a busy system hundreds of thousands of rows ten times a second, growing until autovacuum came round. A
-- btree on (at, id) finds exactly the rows asked for. `at` is each transaction's start, so new rows land at the
-- index's right edge, nearly as cheap to maintain as the id index (no measurable cost on a 5,000-line job chunk's
-- history COPY). Pruning by age uses it as it used the BRIN index. Building it on an existing history makes writers
-- to wiring_history wait for the build (about a second per million rows on two cores).
DROP INDEX wiring_history_at;
CREATE INDEX wiring_history_at ON wiring_history (at, id);
