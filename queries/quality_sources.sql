-- Per launch.toml source, in launch.toml order (then sources no longer listed whose files are
-- still loaded): the files it read and rejected whole, rows read as the loader counted them
-- file by file, rows accepted as stored in acc_<table>, rows rejected as listed, and rows
-- rejected for a value no map knew. rows_read = rows_accepted + rows_rejected for every source.
-- Accepted rows leave out those of files taken out (_withdrawn; the next rebuild deletes them).
-- Grain: one row per source. Parameters: none.
WITH s AS (
    SELECT name AS source, table_name, format, position, coalesce(folder, table_name) || '/' || files AS matches
    FROM sources
    UNION ALL
    SELECT DISTINCT source, table_name, NULL, NULL, '(no longer in launch.toml)'
    FROM files WHERE source IS NOT NULL AND source NOT IN (SELECT name FROM sources)
),
f AS (
    SELECT source, count(*) AS files, count(*) FILTER (WHERE status = 'rejected') AS files_rejected,
           CAST(sum(rows_read) AS BIGINT) AS rows_read
    FROM files WHERE source IS NOT NULL GROUP BY 1
),
acc AS (
    SELECT 'orders' AS table_name, _file AS file, count(*) AS n FROM acc_orders WHERE NOT _withdrawn GROUP BY ALL
    UNION ALL SELECT 'shipments', _file, count(*) FROM acc_shipments WHERE NOT _withdrawn GROUP BY ALL
    UNION ALL SELECT 'activations', _file, count(*) FROM acc_activations WHERE NOT _withdrawn GROUP BY ALL
    UNION ALL SELECT 'messages', _file, count(*) FROM acc_messages WHERE NOT _withdrawn GROUP BY ALL
    UNION ALL SELECT 'calls', _file, count(*) FROM acc_calls WHERE NOT _withdrawn GROUP BY ALL
),
a AS (SELECT files.source, CAST(sum(acc.n) AS BIGINT) AS rows_accepted FROM acc JOIN files USING (table_name, file) GROUP BY 1),
r AS (SELECT files.source, count(*) AS rows_rejected FROM rejected_rows JOIN files USING (table_name, file) GROUP BY 1),
u AS (SELECT source, CAST(sum(rows) AS BIGINT) AS rows_unmapped, count(DISTINCT (column_name, value)) AS values_unmapped
      FROM unmapped_values GROUP BY 1)
SELECT
    s.source,
    s.table_name,
    s.format,
    s.matches,
    coalesce(f.files, 0) AS files,
    coalesce(f.files_rejected, 0) AS files_rejected,
    coalesce(f.rows_read, 0) AS rows_read,
    coalesce(a.rows_accepted, 0) AS rows_accepted,
    coalesce(r.rows_rejected, 0) AS rows_rejected,
    coalesce(u.rows_unmapped, 0) AS rows_unmapped,
    coalesce(u.values_unmapped, 0) AS values_unmapped
FROM s
LEFT JOIN f USING (source)
LEFT JOIN a USING (source)
LEFT JOIN r USING (source)
LEFT JOIN u USING (source)
ORDER BY s.position NULLS LAST, s.source
