--liquibase formatted sql

--changeset widgets:002-distribute-on-citus splitStatements:false
-- On a Citus coordinator, shard every wiring table on serial_number, co-located with widget, so
-- a widget, its ports and its history live on one shard. On plain PostgreSQL this does nothing.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
        PERFORM create_distributed_table('widget', 'serial_number');
        PERFORM create_distributed_table('port', 'serial_number', colocate_with => 'widget');
        PERFORM create_distributed_table('wiring_history', 'serial_number', colocate_with => 'widget');
    END IF;
END
$$;
