-- Independent counts behind the reconciliation of spec 3, per table, to check the report's
-- ingest figures against: rows read as the loader counted them file by file, rejected rows
-- as listed, accepted versions as stored, and distinct keys among them as the loader counted
-- them file by file (key_counts, queries/load/tables.sql), apart from the version rule.
-- Accepted rows leave out those of files taken out (_withdrawn; the next rebuild deletes them).
-- Grain: one row per table. Parameters: none.
WITH t(table_name, pos) AS (VALUES ('orders', 1), ('shipments', 2), ('activations', 3), ('messages', 4), ('calls', 5)),
f AS (SELECT table_name, sum(rows_read) AS file_rows_read FROM files GROUP BY 1),
r AS (SELECT table_name, count(*) AS rejected_listed FROM rejected_rows GROUP BY 1),
a AS (
    SELECT 'orders' AS table_name, count(*) AS accepted_stored FROM acc_orders WHERE NOT _withdrawn
    UNION ALL SELECT 'shipments', count(*) FROM acc_shipments WHERE NOT _withdrawn
    UNION ALL SELECT 'activations', count(*) FROM acc_activations WHERE NOT _withdrawn
    UNION ALL SELECT 'messages', count(*) FROM acc_messages WHERE NOT _withdrawn
    UNION ALL SELECT 'calls', count(*) FROM acc_calls WHERE NOT _withdrawn
)
SELECT
    t.table_name,
    coalesce(f.file_rows_read, 0) AS file_rows_read,
    coalesce(r.rejected_listed, 0) AS rejected_listed,
    a.accepted_stored,
    coalesce(k.distinct_keys, 0) AS distinct_keys
FROM t
JOIN a USING (table_name)
LEFT JOIN key_counts k USING (table_name)
LEFT JOIN f USING (table_name)
LEFT JOIN r USING (table_name)
ORDER BY t.pos
