-- Alert stalled_hub (spec 3b): per hub, orders whose latest event <= T is an at_hub scan
-- there (n_now); orders whose latest event <= T - stall_minutes was an at_hub scan there
-- (n_before) and how many of those have a later event <= T (moved).
-- Latest scans come from stage_timeline (last_scan). An order that has not moved still has
-- the same at_hub scan as its latest at T, so only at_hub rows are read at both moments.
-- Grain: one row per hub with at least one such order. Parameters: $as_of, $stall_minutes, filters.
WITH now_rows AS (
    SELECT order_id, last_scan
    FROM lb_stages_at($as_of, $channels, $regions, $skus, $couriers)
    WHERE last_scan.ev = 'at_hub'
),
now AS (
    SELECT last_scan.hub AS hub, count(*) AS n_now FROM now_rows GROUP BY 1
),
then_rows AS (
    SELECT order_id, last_scan AS then_e
    FROM lb_stages_at($as_of - to_minutes($stall_minutes), $channels, $regions, $skus, $couriers)
    WHERE last_scan.ev = 'at_hub'
),
before AS (
    SELECT t.then_e.hub AS hub, count(*) AS n_before,
           count(*) FILTER (WHERE n.order_id IS NULL OR n.last_scan.at > t.then_e.at
                            OR n.last_scan.ev <> t.then_e.ev) AS moved,
           min(t.then_e.at) AS oldest_scan
    FROM then_rows t
    LEFT JOIN now_rows n USING (order_id)
    GROUP BY 1
)
SELECT hub, coalesce(n_now, 0) AS n_now,
       coalesce(n_before, 0) AS n_before, coalesce(moved, 0) AS moved, oldest_scan
FROM now FULL JOIN before USING (hub)
WHERE hub IS NOT NULL
ORDER BY hub
