-- Marked moments for every time chart: promise deadlines (with the number of orders that
-- carry them) and message batch sends / corrections, up to $as_of.
-- Grain: one row per moment and kind. `at` is launch-local wall-clock time (for charts).
-- Parameters: $as_of.
WITH deadlines AS (
    SELECT promised_delivery_by AS ts, 'delivery promise' AS kind, count(*) AS n FROM orders
    WHERE promised_delivery_by IS NOT NULL GROUP BY 1
    UNION ALL
    SELECT promised_activation_by, 'activation promise', count(*) FROM orders
    WHERE promised_activation_by IS NOT NULL GROUP BY 1
),
top_deadlines AS (
    SELECT * FROM deadlines QUALIFY row_number() OVER (PARTITION BY kind ORDER BY n DESC, ts) <= 3
),
batches AS (
    SELECT min(sent_at) AS ts, 'message batch' AS kind, count(*) AS n, batch_id AS label
    FROM messages WHERE batch_id IS NOT NULL AND sent_at <= $as_of GROUP BY batch_id
    UNION ALL
    SELECT min(sent_at), 'correction', count(*), 'corrects ' || corrects_batch_id
    FROM messages WHERE corrects_batch_id IS NOT NULL AND sent_at <= $as_of GROUP BY corrects_batch_id
)
SELECT lb_local(ts) AS at, kind, kind || ' (' || n || ' orders)' AS label, n FROM top_deadlines
UNION ALL
SELECT lb_local(ts), kind, label || ' (' || n || ' messages)', n FROM batches
ORDER BY 1, 2
