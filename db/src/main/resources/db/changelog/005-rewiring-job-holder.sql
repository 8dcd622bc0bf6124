--liquibase formatted sql

--changeset widgets:005-rewiring-job-holder
-- Which process holds each rewiring job it took on — running it, or keeping it queued for a free slot — and when
-- that process last said it is alive (every 10 seconds). Another replica asked to restart a job that Spring Batch
-- still shows as running uses it to tell a long or queued job from one whose process died.
-- A plain local table on the Citus coordinator, next to Spring Batch's own tables.
CREATE TABLE rewiring_job_holder (
    job_id  bigint NOT NULL,
    holder  text NOT NULL,
    seen_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT rewiring_job_holder_pkey PRIMARY KEY (job_id)
);
