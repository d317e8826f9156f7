-- Calls offered at $as_of by reason and by the caller's order stage at arrival: the stage
-- (spec rules at arrived_at) of the caller's most recent order (customer_id) with
-- ordered_at <= arrived_at; 'unknown' when the caller is unknown or had no order yet.
-- Reason null = '(none)'. Grain: one row per (reason, stage). Parameters: $as_of, filters.
WITH c AS (SELECT * FROM lb_calls_at($as_of, $channels, $regions, $skus, $couriers)),
caller_order AS (
    SELECT c.call_id, c.arrived_at, f.order_id
    FROM c JOIN order_facts f ON f.customer_id = c.customer_id AND f.ordered_at <= c.arrived_at
    QUALIFY row_number() OVER (PARTITION BY c.call_id ORDER BY f.ordered_at DESC, f.order_id DESC) = 1
),
staged AS (
    SELECT co.call_id, s.stage
    FROM caller_order co
    JOIN stage_timeline s ON s.order_id = co.order_id AND s.from_at <= co.arrived_at AND co.arrived_at < s.to_at
)
SELECT
    coalesce(c.reason, '(none)') AS reason,
    coalesce(o.stage, 'unknown') AS stage,
    count(*) AS calls
FROM c LEFT JOIN staged o USING (call_id)
GROUP BY ALL
ORDER BY calls DESC, reason, stage
