-- Orders sitting at each hub, hour by hour: at each bucket time t (whole hours from the first
-- at_hub scan up to $as_of, plus $as_of; wider steps so there are at most ~200 buckets), the
-- orders whose latest shipment event <= t is an `at_hub` scan at that hub (the rule of the
-- stalled_hub alert, read from stage_timeline). `oldest_hours` = hours since the oldest of
-- those scans. Each stretch [from_at, to_at) becomes its bucket range (lb_bucketed: t <= bucket
-- j exactly when bucket(t) <= j), stretches are counted per (hub, range) with their oldest scan,
-- and a bucket time sums the ranges that hold it.
-- Grain: one row per bucket time and hub with at least one order. `at` is the bucket time
-- (launch-local), `at_start` the bucket before it: a heatmap cell spans (at_start, at].
-- Parameters: $as_of, filters.
WITH sitting_rows AS (
    -- the stretches of time in which an existing order's latest scan is an at_hub scan
    SELECT s.from_at, s.to_at, s.last_scan.hub AS hub, s.last_scan.at AS scan_at
    FROM lb_timeline($as_of, $channels, $regions, $skus, $couriers) s
    WHERE s.last_scan.ev = 'at_hub' AND s.last_scan.hub IS NOT NULL AND s.from_at <= $as_of
),
span AS (
    SELECT date_trunc('hour', start) AS start,
           greatest(1, ceil((epoch($as_of::TIMESTAMPTZ) - epoch(start)) / 3600 / 200))::INTEGER AS step_hours
    FROM (SELECT min(scan_at) AS start FROM sitting_rows)
),
bucket_times AS (
    SELECT unnest(range(span.start + to_hours(span.step_hours), $as_of::TIMESTAMPTZ, to_hours(span.step_hours))) AS t,
           span.step_hours
    FROM span WHERE span.start IS NOT NULL
    UNION
    SELECT $as_of::TIMESTAMPTZ, span.step_hours FROM span WHERE span.start IS NOT NULL
),
buckets AS (
    SELECT t, coalesce(lag(t) OVER (ORDER BY t), t - to_hours(step_hours)) AS t_start,
           row_number() OVER (ORDER BY t) - 1 AS j
    FROM bucket_times
),
bounds AS (SELECT list(epoch_us(t) ORDER BY t) AS b FROM bucket_times),
stretches AS (SELECT hub, scan_at, epoch_us(from_at) AS from_us, epoch_us(to_at) AS to_us FROM sitting_rows),
ranges AS (  -- to_us null: the stretch never ends
    SELECT hub, b_from, coalesce(b_to, (SELECT len(b) FROM bounds)) AS b_to, count(*) AS n, min(scan_at) AS oldest_scan
    FROM lb_bucketed('stretches', (SELECT b FROM bounds))
    GROUP BY ALL
)
SELECT lb_local(b.t_start) AS at_start,
       lb_local(b.t) AS at, r.hub,
       CAST(sum(r.n) AS BIGINT) AS orders, round(max(epoch(b.t) - epoch(r.oldest_scan)) / 3600.0, 1) AS oldest_hours
FROM buckets b
JOIN ranges r ON r.b_from <= b.j AND b.j < r.b_to
GROUP BY ALL
ORDER BY 1, 3
