--liquibase formatted sql

--changeset widgets:003-rewiring-reject
-- The rejected lines of a rewiring job, written in the same transaction as the chunk that judged them,
-- so a restarted job neither loses nor repeats one. job_id is the job's id (its Spring Batch job instance).
-- A plain local table: on Citus it stays on the coordinator next to Spring Batch's own tables.
CREATE TABLE rewiring_reject (
    job_id      bigint NOT NULL,
    line_number bigint NOT NULL,
    code        text NOT NULL,
    message     text NOT NULL,
    raw         text NOT NULL,
    CONSTRAINT rewiring_reject_pkey PRIMARY KEY (job_id, line_number)
);

--changeset widgets:003-inbox-claim
-- One row per inbox file a replica took on: the primary key makes the claim exactly-once across replicas
-- (the same name dropped again with other contents is a new file). A plain local table on the Citus
-- coordinator, never distributed, so its key needs no serial_number.
CREATE TABLE rewiring_inbox_claim (
    file_name     text NOT NULL,
    file_size     bigint NOT NULL,
    file_modified bigint NOT NULL,
    claimed_by    text NOT NULL,
    claimed_at    timestamptz NOT NULL DEFAULT now(),
    job_id        bigint,
    CONSTRAINT rewiring_inbox_claim_pkey PRIMARY KEY (file_name, file_size, file_modified)
);
