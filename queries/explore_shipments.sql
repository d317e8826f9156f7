-- Explore sandbox table `shipments`: the current version of each row, extra columns included.
-- Phone-like columns are masked by launchboard.sandbox before the rows leave the Store.
-- Grain: one row per event_id. Parameters: none.
SELECT * FROM shipments ORDER BY event_id
