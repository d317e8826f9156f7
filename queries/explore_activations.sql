-- Explore sandbox table `activations`: the current version of each row, extra columns included.
-- Phone-like columns are masked by launchboard.sandbox before the rows leave the Store.
-- Grain: one row per attempt_id. Parameters: none.
-- No ORDER BY: launchboard.sandbox counts the rows as is and copies them sorted (VIEWS).
SELECT * FROM activations
