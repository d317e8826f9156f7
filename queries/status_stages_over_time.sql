-- Orders per stage over time (spec 3b stage rules evaluated at each bucket time).
-- Buckets: every whole hour from the first order's hour up to $as_of, plus $as_of itself; the
-- step widens to 2, 3, ... hours so that there are at most ~200 buckets.
-- An order's stage only changes at one of its own timestamps (ordered, allocated, cancelled,
-- a scan, an attempt requested or finished), so lb_stage is evaluated at those change points
-- only; each change adds +1 to the new stage and -1 to the old one from the first bucket at or
-- after it, and a running sum over buckets gives the counts.
-- Grain: one row per bucket time and stage with at least one order. `at` is launch-local time.
-- Parameters: $as_of, $channels, $regions, $skus, $couriers.
WITH scoped AS (
    SELECT order_id, ordered_at, sf
    FROM lb_orders_at($as_of, $channels, $regions, $skus, $couriers)
),
span AS (
    SELECT date_trunc('hour', min(ordered_at)) AS start,
           greatest(1, ceil((epoch($as_of::TIMESTAMPTZ) - epoch(min(ordered_at))) / 3600 / 200))::INTEGER AS step_hours
    FROM scoped
),
buckets AS (
    SELECT unnest(range(span.start, $as_of::TIMESTAMPTZ, to_hours(span.step_hours))) AS t FROM span
    WHERE span.start IS NOT NULL
    UNION
    SELECT $as_of::TIMESTAMPTZ
),
points AS (
    SELECT order_id, sf, unnest(list_distinct(list_filter(
        [ordered_at, sf.allocated_at, sf.cancelled_at]
            || list_transform(coalesce(sf.events, []), lambda e: e.at)
            || list_transform(coalesce(sf.attempts, []), lambda a: a.req)
            || list_transform(coalesce(sf.attempts, []), lambda a: a.fin),
        lambda x: x IS NOT NULL AND x >= ordered_at AND x <= $as_of::TIMESTAMPTZ))) AS t
    FROM scoped
),
stages AS (
    SELECT order_id, t, lb_stage(sf, t) AS stage FROM points
),
changes AS (
    SELECT t, stage, lag(stage) OVER (PARTITION BY order_id ORDER BY t) AS before FROM stages
),
deltas AS (
    SELECT t, stage, 1 AS delta FROM changes WHERE before IS DISTINCT FROM stage
    UNION ALL
    SELECT t, before, -1 FROM changes WHERE before IS NOT NULL AND before <> stage
),
per_bucket AS (
    SELECT b.t AS bucket, d.stage, sum(d.delta) AS delta
    FROM deltas d
    ASOF JOIN buckets b ON b.t >= d.t
    GROUP BY ALL
),
running AS (
    SELECT b.t AS bucket, s.stage,
           sum(coalesce(p.delta, 0)) OVER (PARTITION BY s.stage ORDER BY b.t) AS orders
    FROM buckets b
    CROSS JOIN (SELECT DISTINCT stage FROM per_bucket) s
    LEFT JOIN per_bucket p ON p.bucket = b.t AND p.stage = s.stage
)
SELECT lb_local(bucket) AS at, stage, orders::BIGINT AS orders
FROM running
WHERE orders > 0
ORDER BY 1, 2
