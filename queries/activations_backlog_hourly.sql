-- The activation backlog over time: at every hour mark in the last $span_hours and at $as_of,
-- the orders existing then that are neither activated nor cancelled (spec stage rules at that
-- moment). Grain: one row per moment (<= span_hours + 1 rows); `at` is launch-local.
-- By the first two stage rules an order is `cancelled` or `activated` at t exactly when
-- cancelled_at <= t or its first success finished <= t, so those two milestones decide it
-- (no need to evaluate the whole lb_stage at every mark).
-- Parameters: $as_of, $span_hours, filters.
WITH marks AS (
    SELECT unnest(generate_series(
        date_trunc('hour', $as_of - to_hours(CAST($span_hours AS BIGINT))) + INTERVAL 1 HOUR,
        $as_of, INTERVAL 1 HOUR)) AS t
    UNION
    SELECT $as_of
)
SELECT lb_local(m.t) AS at, count(f.order_id) AS backlog
FROM marks m
LEFT JOIN order_facts f
  ON f.ordered_at <= m.t
 AND NOT coalesce(f.sf.cancelled_at <= m.t OR f.sf.first_success_at <= m.t, false)
 AND lb_in_scope([f.channel], [f.region], [f.sku], f.couriers, $channels, $regions, $skus, $couriers)
GROUP BY m.t
ORDER BY m.t
