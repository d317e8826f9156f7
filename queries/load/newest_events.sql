-- The newest event time among each table's current rows (spec 3b: the greatest ordered_at,
-- allocated_at, cancelled_at, event_at, requested_at, finished_at, sent_at, arrived_at,
-- answered_at or ended_at), decided once per rebuild (launchboard.derive): the current tables
-- are views of acc_<table>, whose maxima DuckDB cannot read from statistics (a scan of ~30 ms
-- at 1M orders on every page, for default_as_of and status_freshness).
-- Grain: one row per table (null: no row with a time). Parameters: none.
CREATE OR REPLACE TABLE newest_events AS
SELECT 'orders' AS table_name, greatest(max(ordered_at), max(allocated_at), max(cancelled_at)) AS newest_event_at FROM orders
UNION ALL SELECT 'shipments', max(event_at) FROM shipments
UNION ALL SELECT 'activations', greatest(max(requested_at), max(finished_at)) FROM activations
UNION ALL SELECT 'messages', max(sent_at) FROM messages
UNION ALL SELECT 'calls', greatest(max(arrived_at), max(answered_at), max(ended_at)) FROM calls;
