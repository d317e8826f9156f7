-- Reconciliation per table (spec 3): files, rows read/accepted/rejected, superseded, orphans
-- (orphan_rows is decided at load, queries/load/order_facts.sql).
-- rows_accepted = distinct keys + superseded; rows_read = accepted + rejected.
-- Accepted rows leave out those of files taken out (_withdrawn; the next rebuild deletes them).
-- Grain: one row per table. Parameters: none.
WITH t(table_name, pos) AS (VALUES ('orders', 1), ('shipments', 2), ('activations', 3), ('messages', 4), ('calls', 5)),
f AS (
    SELECT table_name, count(*) AS files, count(*) FILTER (WHERE status = 'rejected') AS files_rejected
    FROM files GROUP BY 1
),
r AS (SELECT table_name, count(*) AS rows_rejected FROM rejected_rows GROUP BY 1),
a AS (
    SELECT 'orders' AS table_name, (SELECT count(*) FROM acc_orders WHERE NOT _withdrawn) AS rows_accepted, (SELECT count(*) FROM orders) AS keys, 0 AS orphans
    UNION ALL SELECT 'shipments', (SELECT count(*) FROM acc_shipments WHERE NOT _withdrawn), (SELECT count(*) FROM shipments),
        (SELECT count(*) FROM orphan_rows WHERE table_name = 'shipments')
    UNION ALL SELECT 'activations', (SELECT count(*) FROM acc_activations WHERE NOT _withdrawn), (SELECT count(*) FROM activations),
        (SELECT count(*) FROM orphan_rows WHERE table_name = 'activations')
    UNION ALL SELECT 'messages', (SELECT count(*) FROM acc_messages WHERE NOT _withdrawn), (SELECT count(*) FROM messages),
        (SELECT count(*) FROM orphan_rows WHERE table_name = 'messages')
    UNION ALL SELECT 'calls', (SELECT count(*) FROM acc_calls WHERE NOT _withdrawn), (SELECT count(*) FROM calls), 0
)
SELECT
    t.table_name,
    coalesce(f.files, 0) AS files,
    coalesce(f.files_rejected, 0) AS files_rejected,
    a.rows_accepted + coalesce(r.rows_rejected, 0) AS rows_read,
    a.rows_accepted,
    coalesce(r.rows_rejected, 0) AS rows_rejected,
    a.rows_accepted - a.keys AS superseded,
    a.orphans
FROM t
JOIN a USING (table_name)
LEFT JOIN f USING (table_name)
LEFT JOIN r USING (table_name)
ORDER BY t.pos
