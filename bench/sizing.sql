-- Measures the on-disk size of widgets and links, tables plus indexes, at a chosen scale.
-- Run against an EMPTY database migrated by the service, e.g. the embedded one:
--   psql "postgresql://postgres@localhost:PORT/postgres" -v n=1000000 -f bench/sizing.sql
-- It inserts n widgets (random non-empty port subsets, names like the seeds' "Widget123456"),
-- then links widget i to widget i+1 on free ports until ~n links exist (average degree 2),
-- in the same shape the store writes, and prints bytes per widget and per link.
\set ON_ERROR_STOP on
\timing on

INSERT INTO widget (serial_number, name)
SELECT 'SN-' || lpad(i::text, 8, '0'), 'Widget' || i FROM generate_series(1, :n) i;

-- Every widget gets P, R and Q so that a chain of links (degree 2) always finds free ports;
-- real widgets have fewer ports, so this slightly overstates the port table.
INSERT INTO port (serial_number, port)
SELECT 'SN-' || lpad(i::text, 8, '0'), t FROM generate_series(1, :n) i, unnest(ARRAY['P', 'R', 'Q']) t;

VACUUM ANALYZE widget;
SELECT pg_total_relation_size('widget') AS widget_bytes,
       pg_total_relation_size('port') AS port_bytes_unlinked \gset

-- Chain: i.P <-> (i+1).Q for every i: n-1 links, each widget linked on P and Q (degree 2).
UPDATE port SET peer_serial = 'SN-' || lpad((substr(serial_number, 4)::int + 1)::text, 8, '0'),
                peer_port = 'Q', linked_at = now()
 WHERE port = 'P' AND substr(serial_number, 4)::int < :n;
UPDATE port SET peer_serial = 'SN-' || lpad((substr(serial_number, 4)::int - 1)::text, 8, '0'),
                peer_port = 'P', linked_at = now()
 WHERE port = 'Q' AND substr(serial_number, 4)::int > 1;
VACUUM FULL port;
VACUUM ANALYZE port;

SELECT pg_total_relation_size('port') AS port_bytes \gset
SELECT :n AS widgets,
       :n - 1 AS links,
       pg_size_pretty(:widget_bytes::bigint) AS widget_table_and_indexes,
       pg_size_pretty(:port_bytes::bigint) AS port_table_and_indexes,
       round((:widget_bytes + :port_bytes_unlinked)::numeric / :n) AS bytes_per_widget_with_free_ports,
       round((:port_bytes - :port_bytes_unlinked)::numeric / (:n - 1)) AS extra_bytes_per_link;

-- History: every link or unlink appends two rows (one per end), an add or remove one.
INSERT INTO wiring_history (serial_number, event, port, peer_serial, peer_port, actor, request_id)
SELECT 'SN-' || lpad(i::text, 8, '0'), 'LINKED', 'P', 'SN-' || lpad((i + 1)::text, 8, '0'), 'Q',
       'api-user', gen_random_uuid()::text
  FROM generate_series(1, :n) i;
VACUUM ANALYZE wiring_history;
SELECT pg_size_pretty(pg_total_relation_size('wiring_history')) AS history_table_and_indexes,
       round(pg_total_relation_size('wiring_history')::numeric / :n) AS bytes_per_history_row;
