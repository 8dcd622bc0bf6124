--liquibase formatted sql

--changeset widgets:012-unlink-port splitStatements:false
-- An unlink that names only its port, in one round trip (BEGIN, the lock-wait settings, this function, COMMIT: one
-- message to the server, see LinkWrites): it reads the port's peer, then frees both ends with check-and-sets in the
-- canonical lock order every link and unlink uses (serial number in byte order; the two ends of a link never share
-- one), each with its history row. It returns the peer it freed, and no row when the port is free or missing (the
-- client then reads it to say which) or changed before its ends were locked (the client tries again). One end freed
-- and the other not means a concurrent writer changed the pair in between: refused with SQLSTATE WG001, which aborts
-- the transaction, as wiring_whole_link does. On Citus the function runs on the coordinator and each of its
-- statements names one serial number, so each goes to that widget's shard alone.
CREATE FUNCTION wiring_unlink_port(p_serial text, p_port char, p_actor text, p_request_id text, p_job_id bigint,
                                   p_line_number bigint)
    RETURNS TABLE (freed_serial text, freed_port char)
    LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    peer_s text;
    peer_p char;
    s text;
    p char;
    os text;
    op char;
    freed integer := 0;
    n integer;
BEGIN
    SELECT t.peer_serial, t.peer_port INTO peer_s, peer_p
      FROM port t
     WHERE t.serial_number = p_serial AND t.port = p_port;
    IF peer_s IS NULL THEN
        RETURN;
    END IF;
    FOR i IN 1..2 LOOP
        IF (i = 1) = (p_serial COLLATE "C" < peer_s COLLATE "C") THEN
            s := p_serial; p := p_port; os := peer_s; op := peer_p;
        ELSE
            s := peer_s; p := peer_p; os := p_serial; op := p_port;
        END IF;
        WITH u AS (
            UPDATE port t SET peer_serial = NULL, peer_port = NULL, linked_at = NULL
             WHERE t.serial_number = s AND t.port = p AND t.peer_serial = os AND t.peer_port = op
            RETURNING t.serial_number, t.port)
        INSERT INTO wiring_history (serial_number, event, port, peer_serial, peer_port,
                                    actor, request_id, job_id, line_number)
        SELECT u.serial_number, 'UNLINKED', u.port, os, op, p_actor, p_request_id, p_job_id, p_line_number FROM u;
        GET DIAGNOSTICS n = ROW_COUNT;
        freed := freed + n;
    END LOOP;
    IF freed = 1 THEN
        RAISE EXCEPTION 'only one end of the link was freed; the transaction is rolled back'
            USING ERRCODE = 'WG001';
    END IF;
    IF freed = 2 THEN
        freed_serial := peer_s;
        freed_port := peer_p;
        RETURN NEXT;
    END IF;
END
$$;
