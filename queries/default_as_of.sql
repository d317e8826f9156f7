-- Spec 3b live T: the newest event time among the current versions of accepted rows.
-- Each table's newest event time is decided at load (queries/load/newest_events.sql).
-- Grain: one row. Parameters: none.
SELECT max(newest_event_at) AS as_of FROM newest_events
