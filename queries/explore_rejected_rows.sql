-- Explore sandbox table `rejected_rows`: every rejected row with its file, line and reason.
-- The row's content has anything shaped like a phone number masked (010-****-5678).
-- Grain: one row per rejected row. Parameters: none.
SELECT
    table_name, file, line, reason,
    regexp_replace(content, '\b(0\d{1,2})[-. ]?\d{3,4}[-. ]?(\d{4})\b', '\1-****-\2', 'g') AS content
FROM rejected_rows
ORDER BY table_name, file, line
