-- Alert stalled_hub (spec 3b): per hub, orders whose latest event <= T is an at_hub scan
-- there (n_now); orders whose latest event <= T - stall_minutes was an at_hub scan there
-- (n_before) and how many of those have a later event <= T (moved).
-- Grain: one row per hub with at least one such order. Parameters: $as_of, $stall_minutes, filters.
WITH o AS (
    SELECT n.last_scan AS now_e, s.last_scan AS then_e
    FROM lb_orders_at($as_of, $channels, $regions, $skus, $couriers) n
    JOIN stage_timeline s
      ON s.order_id = n.order_id
     AND s.from_at <= $as_of - to_minutes($stall_minutes) AND $as_of - to_minutes($stall_minutes) < s.to_at
),
now AS (SELECT now_e.hub AS hub, count(*) AS n_now FROM o WHERE now_e.ev = 'at_hub' GROUP BY 1),
before AS (
    SELECT then_e.hub AS hub, count(*) AS n_before,
           count(*) FILTER (WHERE now_e.at > then_e.at OR now_e.ev <> then_e.ev) AS moved,
           min(then_e.at) AS oldest_scan
    FROM o WHERE then_e.ev = 'at_hub' GROUP BY 1
)
SELECT hub, coalesce(n_now, 0) AS n_now,
       coalesce(n_before, 0) AS n_before, coalesce(moved, 0) AS moved, oldest_scan
FROM now FULL JOIN before USING (hub)
WHERE hub IS NOT NULL
ORDER BY hub
