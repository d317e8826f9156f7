-- Alert stalled_stage (spec 3b): for allocated, packed, in_transit, activation_pending:
-- orders in the stage at T (n_now), orders in it at T - stall_minutes (n_before) and how many
-- of those are in another stage at T (moved). Raised when n_now >= min, n_before >= 1, moved = 0.
-- Every order existing at T - stall_minutes exists at T within the same filters, so moved =
-- n_before minus those in the same stage at both moments; only watched stages are read.
-- Grain: one row per watched stage. Parameters: $as_of, $stall_minutes, filters.
WITH watched(stage) AS (VALUES ('allocated'), ('packed'), ('in_transit'), ('activation_pending')),
now AS (
    SELECT order_id, stage FROM lb_stages_at($as_of, $channels, $regions, $skus, $couriers)
    WHERE stage IN ('allocated', 'packed', 'in_transit', 'activation_pending')
),
before AS (
    SELECT order_id, stage
    FROM lb_stages_at($as_of - to_minutes($stall_minutes), $channels, $regions, $skus, $couriers)
    WHERE stage IN ('allocated', 'packed', 'in_transit', 'activation_pending')
),
n_now AS (SELECT stage, count(*) AS n FROM now GROUP BY stage),
n_before AS (SELECT stage, count(*) AS n FROM before GROUP BY stage),
stayed AS (SELECT stage, count(*) AS n FROM before JOIN now USING (order_id, stage) GROUP BY stage)
SELECT
    w.stage,
    coalesce(n_now.n, 0) AS n_now,
    coalesce(n_before.n, 0) AS n_before,
    coalesce(n_before.n, 0) - coalesce(stayed.n, 0) AS moved
FROM watched w
LEFT JOIN n_now USING (stage)
LEFT JOIN n_before USING (stage)
LEFT JOIN stayed USING (stage)
ORDER BY w.stage
