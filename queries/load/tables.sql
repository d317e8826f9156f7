-- Bookkeeping tables of the loader (grain: one row per finished file / per rejected row / per
-- source / per unmapped value of a file).
-- Parameters: none.
CREATE TABLE IF NOT EXISTS files (
    table_name VARCHAR NOT NULL,
    file VARCHAR NOT NULL,
    arrived_at TIMESTAMPTZ,
    bytes BIGINT,
    encoding VARCHAR,
    status VARCHAR NOT NULL,          -- loaded | rejected
    reason VARCHAR,                   -- why the whole file was rejected
    rows_read BIGINT NOT NULL,
    rows_rejected BIGINT NOT NULL,
    loaded_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    source VARCHAR,                   -- the launch.toml [[sources]] entry that read it (null: the contract's layout)
    fingerprint VARCHAR,              -- that source's settings when it was read (a change reads the file again)
    -- how the file is known again after a restart (launchboard.persist): its path in the data
    -- folder, its modification time, and a hash of its first and last 64 KiB (with bytes)
    path VARCHAR,
    mtime_ns BIGINT,
    head_tail VARCHAR
);
CREATE TABLE IF NOT EXISTS rejected_rows (
    table_name VARCHAR NOT NULL,
    file VARCHAR NOT NULL,
    line BIGINT,
    reason VARCHAR NOT NULL,
    content VARCHAR
);
-- Distinct keys among each table's accepted rows (acc_<table>, every version), kept by the
-- loader as files arrive: counted whole when a table is rebuilt whole, and on a drop raised by
-- the keys no earlier file carried. Independent of the version rule that builds the current
-- tables, so the quality page can check accepted = distinct keys + superseded without
-- counting millions of keys again on every view.
CREATE TABLE IF NOT EXISTS key_counts (table_name VARCHAR PRIMARY KEY, distinct_keys BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS template_catalog (template VARCHAR PRIMARY KEY, claims VARCHAR);
CREATE TABLE IF NOT EXISTS template_conflicts (a VARCHAR, b VARCHAR);
-- The launch.toml [[sources]] in force, in launch.toml order (the first that matches a file reads it).
CREATE TABLE IF NOT EXISTS sources (
    name VARCHAR PRIMARY KEY,
    table_name VARCHAR NOT NULL,
    format VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    files VARCHAR NOT NULL,           -- the glob, inside folder (or the table's folder)
    folder VARCHAR,
    fingerprint VARCHAR NOT NULL
);
-- Values a source's value map did not know, per file and column (those rows are rejected).
CREATE TABLE IF NOT EXISTS unmapped_values (
    table_name VARCHAR NOT NULL,
    file VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    column_name VARCHAR NOT NULL,
    value VARCHAR NOT NULL,
    rows BIGINT NOT NULL
);
-- A file's figures that are not rows (a queue_log's lines of other events, its calls still
-- open, a Twilio export's inbound messages …), per figure (readers.base.Staged.counts).
CREATE TABLE IF NOT EXISTS source_counts (
    table_name VARCHAR NOT NULL,
    file VARCHAR NOT NULL,
    source VARCHAR,
    figure VARCHAR NOT NULL,
    n BIGINT NOT NULL
);
-- Asterisk queue_log sources (readers/queue_log_reader.py): the calls still open, their lines
-- waiting for their end, and the uniqueids whose latest visit is a row (visits so far, and that
-- row, which a later wrap-up versions), per source and source settings (fingerprint).
CREATE TABLE IF NOT EXISTS queue_log_open (source VARCHAR, fingerprint VARCHAR, uniqueid VARCHAR, visit VARCHAR);
CREATE TABLE IF NOT EXISTS queue_log_done (
    source VARCHAR, fingerprint VARCHAR, uniqueid VARCHAR, visits INTEGER,
    call_id VARCHAR, queue VARCHAR, arrived_at BIGINT, answered_at BIGINT, ended_at BIGINT,  -- epochs
    outcome VARCHAR, agent_id VARCHAR, reason VARCHAR, resolution VARCHAR, updated_at BIGINT, customer_phone VARCHAR
);
-- Launch settings the derived tables need ([messages] call_window_hours), written at start-up.
CREATE TABLE IF NOT EXISTS launch_settings (call_window_hours DOUBLE NOT NULL);
-- Calls traced to messages (queries/load/batch_reach.sql, call_batches.sql): who each message
-- batch reached, and each call's batch and day-before role; decided when files arrive.
CREATE TABLE IF NOT EXISTS batch_reach (
    batch VARCHAR, customer_id VARCHAR, sent_at TIMESTAMPTZ,
    channels VARCHAR[], regions VARCHAR[], skus VARCHAR[], couriers VARCHAR[]
);
CREATE TABLE IF NOT EXISTS call_batches (
    call_id VARCHAR, customer_id VARCHAR, arrived_at TIMESTAMPTZ, ended_at TIMESTAMPTZ, reason VARCHAR,
    -- the caller's first order and filter fields (customer_facts), for the launch rate
    caller STRUCT(since TIMESTAMPTZ, channels VARCHAR[], regions VARCHAR[], skus VARCHAR[], couriers VARCHAR[]),
    -- the batch_reach row the call is traced to, and those it is a day-before call of
    traced STRUCT(batch VARCHAR, sent_at TIMESTAMPTZ, channels VARCHAR[], regions VARCHAR[], skus VARCHAR[],
                  couriers VARCHAR[]),
    day_before_of STRUCT(batch VARCHAR, sent_at TIMESTAMPTZ, channels VARCHAR[], regions VARCHAR[], skus VARCHAR[],
                         couriers VARCHAR[])[]
);
-- The restart state (launchboard.persist). Each file's extra columns (position, name) and its
-- personal columns (not stored, only named), to know the columns again after a restart.
CREATE TABLE IF NOT EXISTS file_columns (
    table_name VARCHAR NOT NULL, file VARCHAR NOT NULL, position INTEGER NOT NULL, name VARCHAR NOT NULL,
    personal BOOLEAN NOT NULL
);
-- Files whose rows are in acc_<table> but not yet in the current and derived tables, and tables a
-- file was taken out of (rebuilt whole): written with the file (or the taking out), cleared in the
-- transaction that rebuilds them, so a killed load is finished by the next start.
CREATE TABLE IF NOT EXISTS pending_files (table_name VARCHAR NOT NULL, file VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS pending_whole (table_name VARCHAR NOT NULL);
-- Why this database was built from scratch (none on a first load), for the Data quality page.
CREATE TABLE IF NOT EXISTS lb_rebuilt (kind VARCHAR NOT NULL, file VARCHAR, detail VARCHAR, rebuilt_at TIMESTAMPTZ NOT NULL);
