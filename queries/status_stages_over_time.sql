-- Orders per stage over time (spec 3b stage rules evaluated at each bucket time).
-- Buckets: every whole hour from the first order's hour up to $as_of, plus $as_of itself; the
-- step widens to 2, 3, ... hours so that there are at most ~200 buckets.
-- Grain: one row per bucket time and stage with at least one order. `at` is launch-local time.
-- Parameters: $as_of, $channels, $regions, $skus, $couriers.
WITH scoped AS (
    SELECT ordered_at, sf
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
)
SELECT lb_local(b.t) AS at, lb_stage(o.sf, b.t) AS stage, count(*) AS orders
FROM buckets b
JOIN scoped o ON o.ordered_at <= b.t
GROUP BY ALL
ORDER BY 1, 2
