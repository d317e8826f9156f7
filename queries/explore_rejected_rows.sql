-- Explore sandbox table `rejected_rows`: every rejected row with its file, line and reason.
-- The row's content and reason have anything shaped like a phone number masked (010-****-5678).
-- Grain: one row per rejected row. Parameters: none.
-- No ORDER BY: launchboard.sandbox counts the rows as is and copies them sorted (VIEWS).
SELECT table_name, file, line, lb_mask_phones_in(reason) AS reason, lb_mask_phones_in(content) AS content
FROM rejected_rows
