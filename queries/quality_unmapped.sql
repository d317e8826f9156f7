-- Values a source's value map did not know (their rows are rejected), per source, column and
-- value, most rows first: what to add to launch.toml's [sources.values.<column>].
-- Grain: one row per source, column and value. Parameters: none.
SELECT
    u.source,
    u.table_name,
    u.column_name,
    u.value,
    CAST(sum(u.rows) AS BIGINT) AS rows,
    count(DISTINCT u.file) AS files
FROM unmapped_values u
LEFT JOIN sources s ON s.name = u.source
GROUP BY ALL
ORDER BY min(s.position) NULLS LAST, u.source, rows DESC, u.value
