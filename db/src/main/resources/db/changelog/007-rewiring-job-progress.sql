--liquibase formatted sql

--changeset widgets:007-rewiring-job-progress
-- How far each apply-mode rewiring job got: its last line whose outcome committed, and the counts up to it. Written
-- in the same transaction as each part of a chunk the job commits — a chunk that keeps meeting concurrent changes is
-- committed in parts — so a restart skips exactly the lines already applied and carries on with the right counts.
-- A plain local table on the Citus coordinator, next to Spring Batch's own tables.
CREATE TABLE rewiring_job_progress (
    job_id    bigint NOT NULL,
    last_line bigint NOT NULL,
    read      bigint NOT NULL,
    applied   bigint NOT NULL,
    unchanged bigint NOT NULL,
    rejected  bigint NOT NULL,
    CONSTRAINT rewiring_job_progress_pkey PRIMARY KEY (job_id)
);
