-- Orders sitting at each hub, hour by hour: at each bucket time t (whole hours from the first
-- at_hub scan up to $as_of, plus $as_of; wider steps so there are at most ~200 buckets), the
-- orders whose latest shipment event <= t is an `at_hub` scan at that hub (the rule of the
-- stalled_hub alert). `oldest_hours` = hours since the oldest of those scans.
-- Grain: one row per bucket time and hub with at least one order. `at` is the bucket time
-- (launch-local), `at_start` the bucket before it: a heatmap cell spans (at_start, at].
-- Parameters: $as_of, filters.
WITH scoped AS (
    SELECT sf FROM lb_orders_at($as_of, $channels, $regions, $skus, $couriers)
    WHERE list_bool_or(list_transform(coalesce(sf.events, []), lambda e: e.ev = 'at_hub' AND e.at <= $as_of))
),
first_scan AS (
    SELECT min(list_min(list_transform(list_filter(sf.events, lambda e: e.ev = 'at_hub'), lambda e: e.at))) AS start
    FROM scoped
),
span AS (
    SELECT date_trunc('hour', start) AS start,
           greatest(1, ceil((epoch($as_of::TIMESTAMPTZ) - epoch(start)) / 3600 / 200))::INTEGER AS step_hours
    FROM first_scan
),
bucket_times AS (
    SELECT unnest(range(span.start + to_hours(span.step_hours), $as_of::TIMESTAMPTZ, to_hours(span.step_hours))) AS t,
           span.step_hours
    FROM span WHERE span.start IS NOT NULL
    UNION
    SELECT $as_of::TIMESTAMPTZ, span.step_hours FROM span WHERE span.start IS NOT NULL
),
buckets AS (
    SELECT t, coalesce(lag(t) OVER (ORDER BY t), t - to_hours(step_hours)) AS t_start FROM bucket_times
),
sitting AS (
    SELECT b.t, b.t_start, lb_latest_event(o.sf.events, b.t) AS e
    FROM buckets b, scoped o
)
SELECT lb_local(t_start) AS at_start,
       lb_local(t) AS at, e.hub AS hub,
       count(*) AS orders, round(max(epoch(t) - epoch(e.at)) / 3600.0, 1) AS oldest_hours
FROM sitting
WHERE e.ev = 'at_hub' AND e.hub IS NOT NULL
GROUP BY ALL
ORDER BY 1, 3
