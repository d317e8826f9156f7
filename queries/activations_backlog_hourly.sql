-- The activation backlog over time: at every hour mark in the last $span_hours and at $as_of,
-- the orders existing then that are neither activated nor cancelled (spec stage rules at that
-- moment). Grain: one row per moment (<= span_hours + 1 rows); `at` is launch-local.
-- By the first two stage rules an order is `cancelled` or `activated` at t exactly when
-- cancelled_at <= t or its first success finished <= t, so each order is in the backlog from
-- ordered_at until the earlier of those two: +1 then, -1 at the end. A running sum over the
-- marks counts it; a change before the first mark counts from the first mark.
-- Parameters: $as_of, $span_hours, filters.
WITH first_mark AS (
    SELECT date_trunc('hour', $as_of - to_hours(CAST($span_hours AS BIGINT))) + INTERVAL 1 HOUR AS m0
),
marks AS (
    SELECT unnest(generate_series(m0, $as_of, INTERVAL 1 HOUR)) AS t FROM first_mark
    UNION
    SELECT $as_of
),
spans AS (
    SELECT ordered_at AS enters, least(sf.cancelled_at, sf.first_success_at) AS leaves
    FROM order_facts f
    WHERE f.ordered_at <= $as_of
      AND lb_in_scope([f.channel], [f.region], [f.sku], f.couriers, $channels, $regions, $skus, $couriers)
),
deltas AS (
    SELECT enters AS t, 1 AS delta FROM spans WHERE leaves IS NULL OR leaves > enters
    UNION ALL
    SELECT leaves, -1 FROM spans WHERE leaves > enters AND leaves <= $as_of
),
per_mark AS (
    -- the first mark at or after t (the first mark for anything before it)
    SELECT least(first_mark.m0 + to_seconds(3600 * greatest(0, CAST(ceil((epoch(d.t) - epoch(first_mark.m0)) / 3600) AS BIGINT))),
                 $as_of::TIMESTAMPTZ) AS t,
           sum(d.delta) AS delta
    FROM deltas d, first_mark
    GROUP BY 1
)
SELECT lb_local(m.t) AS at,
       CAST(sum(coalesce(p.delta, 0)) OVER (ORDER BY m.t) AS BIGINT) AS backlog
FROM marks m
LEFT JOIN per_mark p USING (t)
ORDER BY m.t
