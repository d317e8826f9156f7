-- Orders per stage over time (spec 3b stage rules at each bucket time, from stage_timeline).
-- Buckets: every whole hour from the first order's hour up to $as_of, plus $as_of itself; the
-- step widens to 2, 3, ... hours so that there are at most ~200 buckets.
-- Each interval of an order's timeline adds +1 to its stage from the first bucket at or after
-- it starts (or after the order exists) and -1 from the first bucket at or after it ends; a
-- running sum over buckets gives the counts.
-- Grain: one row per bucket time and stage with at least one order. `at` is launch-local time.
-- Parameters: $as_of, $channels, $regions, $skus, $couriers.
WITH scoped AS (
    SELECT order_id, ordered_at FROM lb_order_facts_at($as_of, $channels, $regions, $skus, $couriers)
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
intervals AS (
    SELECT greatest(s.from_at, s.ordered_at) AS from_at, s.to_at, s.stage
    FROM lb_timeline($as_of, $channels, $regions, $skus, $couriers) s
    WHERE s.to_at > s.ordered_at AND s.from_at <= $as_of
),
deltas AS (
    SELECT from_at AS t, stage, 1 AS delta FROM intervals
    UNION ALL
    SELECT to_at, stage, -1 FROM intervals WHERE to_at <= $as_of
),
steps AS (
    -- k: the first whole step at or after t (counted from span.start, in plain numbers)
    SELECT CAST(ceil((epoch(d.t) - epoch(span.start)) / (3600 * span.step_hours)) AS BIGINT) AS k,
           d.stage, sum(d.delta) AS delta
    FROM deltas d, span
    GROUP BY ALL
),
per_bucket AS (
    -- the first bucket at or after t: that whole step, or $as_of itself past the last one
    SELECT least(span.start + to_seconds(s.k * 3600 * span.step_hours), $as_of::TIMESTAMPTZ) AS bucket,
           s.stage, sum(s.delta) AS delta
    FROM steps s, span
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
