-- Explore sandbox table `files`: every finished extract file seen, loaded or rejected whole.
-- Grain: one row per file. Parameters: none.
-- No ORDER BY: launchboard.sandbox counts the rows as is and copies them sorted (VIEWS).
SELECT table_name, file, arrived_at, bytes, encoding, status, reason, rows_read, rows_rejected, loaded_at
FROM files
