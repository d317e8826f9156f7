-- The rejected rows of one table, with their file, line and reason (spec 3), at most
-- $max_rows of them (null = all, for the CSV download). Phone-shaped numbers in the reason and
-- content are masked (010-****-5678), on the page and in the download alike.
-- Grain: one row per rejected row. Parameters: $table_name, $max_rows.
SELECT file, line, lb_mask_phones_in(reason) AS reason, lb_mask_phones_in(content) AS content
FROM rejected_rows
WHERE table_name = $table_name
ORDER BY file, line
LIMIT $max_rows
