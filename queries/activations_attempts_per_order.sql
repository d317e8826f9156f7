-- Retries: how many attempts each order needed, by the order's activation outcome at $as_of
-- (activated: a success finished <= T; pending: an attempt pending at T; else failed).
-- Orphan attempts count as orders of their own order_id. Grain: one row per
-- (attempts per order, outcome). Parameters: $as_of, filters.
WITH per_order AS (
    SELECT
        order_id,
        count(*) AS attempts,
        CASE WHEN bool_or(result = 'success' AND finished_at <= $as_of) THEN 'activated'
             WHEN bool_or(NOT coalesce(finished_at <= $as_of, false)) THEN 'pending'
             ELSE 'failed' END AS outcome
    FROM lb_attempts($channels, $regions, $skus, $couriers)
    WHERE requested_at <= $as_of
    GROUP BY order_id
)
SELECT attempts, outcome, count(*) AS orders
FROM per_order
GROUP BY ALL
ORDER BY attempts, outcome
