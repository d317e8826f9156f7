-- Explore sandbox table `files`: every finished extract file seen, loaded or rejected whole.
-- Grain: one row per file. Parameters: none.
SELECT table_name, file, arrived_at, bytes, encoding, status, reason, rows_read, rows_rejected, loaded_at
FROM files
ORDER BY table_name, file
