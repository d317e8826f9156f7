-- The rejected rows of one table, with their file, line and reason (spec 3), at most
-- $max_rows of them (null = all, for the CSV download).
-- Grain: one row per rejected row. Parameters: $table_name, $max_rows.
SELECT file, line, reason, content
FROM rejected_rows
WHERE table_name = $table_name
ORDER BY file, line
LIMIT $max_rows
