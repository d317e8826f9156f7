-- The activation backlog over time: at every hour mark in the last $span_hours and at $as_of,
-- the orders existing then that are neither activated nor cancelled (spec stage rules at that
-- moment). Grain: one row per moment (<= span_hours + 1 rows); `at` is launch-local.
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
 AND lb_stage(f.sf, m.t) NOT IN ('activated', 'cancelled')
 AND lb_in_scope([f.channel], [f.region], [f.sku], f.couriers, $channels, $regions, $skus, $couriers)
GROUP BY m.t
ORDER BY m.t
