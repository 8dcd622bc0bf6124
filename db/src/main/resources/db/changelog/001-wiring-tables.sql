--liquibase formatted sql

--changeset widgets:001-widget
-- The serial number is the distribution column of every wiring table and leads every key.
-- COLLATE "C": byte order makes keyset pages stable and index comparisons cheap.
CREATE TABLE widget (
    serial_number text COLLATE "C" NOT NULL,
    name          text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT widget_pkey PRIMARY KEY (serial_number),
    CONSTRAINT widget_serial_number_format CHECK (serial_number ~ '^[A-Za-z0-9._:-]{1,64}$'),
    CONSTRAINT widget_name_length CHECK (char_length(name) BETWEEN 1 AND 128)
);

--changeset widgets:001-port
-- One row per port a widget has. A link is two rows pointing at each other; the store writes
-- both ends in one transaction with check-and-set updates. The peer columns cannot carry a
-- foreign key: on Citus the peer lives on another shard.
-- fillfactor leaves room for HOT updates: relinking changes no indexed column.
CREATE TABLE port (
    serial_number text COLLATE "C" NOT NULL,
    port          char(1) NOT NULL,
    peer_serial   text COLLATE "C",
    peer_port     char(1),
    linked_at     timestamptz,
    CONSTRAINT port_pkey PRIMARY KEY (serial_number, port),
    CONSTRAINT port_widget_fkey FOREIGN KEY (serial_number)
        REFERENCES widget (serial_number) ON DELETE CASCADE,
    CONSTRAINT port_type CHECK (port IN ('P', 'R', 'Q')),
    CONSTRAINT port_peer_type CHECK (peer_port IN ('P', 'R', 'Q')),
    CONSTRAINT port_peer_complete CHECK (
        (peer_serial IS NULL) = (peer_port IS NULL) AND (peer_serial IS NULL) = (linked_at IS NULL)),
    CONSTRAINT port_not_self CHECK (peer_serial <> serial_number)
) WITH (fillfactor = 80);

--changeset widgets:001-wiring-history
-- One row per change of one widget: ADDED, REMOVED, or one of its ports LINKED / UNLINKED
-- (a link or unlink writes a row for each end). The origin is an API request or a batch job line.
-- No foreign key to widget: history outlives the widgets it describes.
CREATE TABLE wiring_history (
    serial_number text COLLATE "C" NOT NULL,
    id            bigserial NOT NULL,
    at            timestamptz NOT NULL DEFAULT now(),
    event         text NOT NULL,
    port          char(1),
    peer_serial   text COLLATE "C",
    peer_port     char(1),
    name          text,
    ports         text,
    actor         text NOT NULL,
    request_id    text,
    job_id        bigint,
    line_number   bigint,
    CONSTRAINT wiring_history_pkey PRIMARY KEY (serial_number, id),
    CONSTRAINT wiring_history_event CHECK (event IN ('ADDED', 'REMOVED', 'LINKED', 'UNLINKED'))
);
