-- Explore sandbox table `activations`: the current version of each row, extra columns included.
-- Phone-like columns are masked by launchboard.sandbox before the rows leave the Store.
-- Grain: one row per attempt_id. Parameters: none.
SELECT * FROM activations ORDER BY attempt_id
