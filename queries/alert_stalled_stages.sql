-- Alert stalled_stage (spec 3b): for allocated, packed, in_transit, activation_pending:
-- orders in the stage at T (n_now), orders in it at T - stall_minutes (n_before) and how many
-- of those are in another stage at T (moved). Raised when n_now >= min, n_before >= 1, moved = 0.
-- Grain: one row per watched stage. Parameters: $as_of, $stall_minutes, filters.
WITH now AS (
    SELECT order_id, stage FROM lb_orders_at($as_of, $channels, $regions, $skus, $couriers)
),
before AS (
    SELECT order_id, stage
    FROM lb_orders_at($as_of - to_minutes($stall_minutes), $channels, $regions, $skus, $couriers)
),
watched(stage) AS (VALUES ('allocated'), ('packed'), ('in_transit'), ('activation_pending'))
SELECT
    w.stage,
    (SELECT count(*) FROM now WHERE now.stage = w.stage) AS n_now,
    (SELECT count(*) FROM before WHERE before.stage = w.stage) AS n_before,
    (SELECT count(*) FROM before JOIN now USING (order_id)
      WHERE before.stage = w.stage AND now.stage <> w.stage) AS moved
FROM watched w
ORDER BY w.stage
