-- Why rows were rejected, per table: the reasons with the offending values cut off
-- ("ordered_at is not a timestamp: 2016-13-01" counts as "ordered_at is not a timestamp");
-- a row with several problems counts once, under all of them joined.
-- Grain: one row per table and reason. Parameters: none.
SELECT
    table_name,
    array_to_string(list_transform(string_split(reason, '; '), lambda r: split_part(r, ':', 1)), '; ') AS reason,
    count(*) AS rows
FROM rejected_rows
GROUP BY ALL
ORDER BY table_name, rows DESC, reason
