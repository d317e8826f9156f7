-- Explore sandbox table `calls`: the current version of each row, extra columns included.
-- Phone-like columns are masked by launchboard.sandbox before the rows leave the Store.
-- Grain: one row per call_id. Parameters: none.
SELECT * FROM calls ORDER BY call_id
