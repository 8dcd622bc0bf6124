--liquibase formatted sql

--changeset widgets:011-whole-link-guard splitStatements:false
-- A link or an unlink writes its two ends and checks the pair in one round trip (BEGIN, both ends' check-and-sets,
-- this check, COMMIT: one message to the server, see LinkWrites). The client cannot look at the ends' update counts
-- before the COMMIT runs, so the check is in SQL: given how many of the pair's two ends point at each other after the
-- writes, it refuses 1 — one end written, the other refused because a concurrent writer got there first — with
-- SQLSTATE WG001, which aborts the transaction; the client rolls back and reads the ports to say why. 0 (nothing
-- written, or an unlink of both) and 2 (a link of both, or one already there) pass. A committed pair is never half
-- made, so 1 can only be the current transaction's own half write.
CREATE FUNCTION wiring_whole_link(linked_ends bigint) RETURNS boolean
    LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
    IF linked_ends = 1 THEN
        RAISE EXCEPTION 'only one end of the link was written; the transaction is rolled back'
            USING ERRCODE = 'WG001';
    END IF;
    RETURN true;
END
$$;
