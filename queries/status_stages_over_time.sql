-- Orders per stage over time (spec 3b stage rules at each bucket time, from stage_timeline).
-- Buckets: every whole hour from the first order's hour up to $as_of, plus $as_of itself; the
-- step widens to 2, 3, ... hours so that there are at most ~200 buckets.
-- An order is in a stage at a bucket time b when a timeline row of that stage holds b and the
-- order exists (rows clipped to [greatest(from_at, ordered_at), to_at)): per stage, the rows
-- starting at or before b minus those ending at or before b, counted with one histogram of
-- the starts and one of the ends over the bucket times.
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
bounds AS (SELECT list(t ORDER BY t) AS b FROM buckets),
counted AS (
    SELECT s.stage,
           histogram(greatest(s.from_at, s.ordered_at), (SELECT b FROM bounds)) AS starts,
           histogram(s.to_at, (SELECT b FROM bounds)) AS ends
    FROM lb_timeline($as_of, $channels, $regions, $skus, $couriers) s
    WHERE s.to_at > s.ordered_at AND s.from_at <= $as_of
    GROUP BY s.stage
),
running AS (
    SELECT b.t AS bucket, c.stage, lb_at_or_below(c.starts, b.t) - lb_at_or_below(c.ends, b.t) AS orders
    FROM buckets b CROSS JOIN counted c
)
SELECT lb_local(bucket) AS at, stage, orders::BIGINT AS orders
FROM running
WHERE orders > 0
ORDER BY 1, 2
