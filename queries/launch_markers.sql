-- Marked moments for every time chart: promise deadlines (with the number of orders that
-- carry them) and message batch sends / corrections, up to $as_of.
-- A batch is a batch_id, or for a correction without one 'corrects <batch_id>' (as in
-- lb_batch_reach); it is a 'correction' when its messages correct another batch, marked at its
-- first send. `name` is the batch (the deadline's kind for deadlines), `label` says more.
-- Grain: one row per moment and kind. `at` is launch-local wall-clock time (for charts).
-- Reads the orders' promises from order_facts (one row per current order, a table: the current
-- orders are a view of acc_orders, which also holds the superseded versions).
-- Parameters: $as_of.
WITH deadlines AS (
    SELECT promised_delivery_by AS ts, 'delivery promise' AS kind, count(*) AS n FROM order_facts
    WHERE promised_delivery_by IS NOT NULL GROUP BY 1
    UNION ALL
    SELECT promised_activation_by, 'activation promise', count(*) FROM order_facts
    WHERE promised_activation_by IS NOT NULL GROUP BY 1
),
top_deadlines AS (
    SELECT * FROM deadlines QUALIFY row_number() OVER (PARTITION BY kind ORDER BY n DESC, ts) <= 3
),
batches AS (
    -- per batch and corrected batch first: the distinct list comes from a few rows
    SELECT min(ts) AS ts, CAST(sum(n) AS BIGINT) AS n, name,
           string_agg(DISTINCT corrects_batch_id, ', ' ORDER BY corrects_batch_id) AS corrects
    FROM (
        SELECT coalesce(batch_id, 'corrects ' || corrects_batch_id) AS name, corrects_batch_id,
               min(sent_at) AS ts, count(*) AS n
        FROM messages
        WHERE (batch_id IS NOT NULL OR corrects_batch_id IS NOT NULL) AND sent_at <= $as_of
        GROUP BY ALL
    )
    GROUP BY name
)
SELECT lb_local(ts) AS at, kind, kind || ' (' || n || ' orders)' AS label, n, kind AS name FROM top_deadlines
UNION ALL
SELECT lb_local(ts),
       CASE WHEN corrects IS NULL THEN 'message batch' ELSE 'correction' END,
       name || CASE WHEN corrects IS NULL OR name = 'corrects ' || corrects THEN '' ELSE ', corrects ' || corrects END
            || ' (' || n || ' messages)',
       n, name
FROM batches
ORDER BY 1, 2, 5
