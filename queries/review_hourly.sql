-- Incident review timeline: per launch-local hour in [$start, $as_of], orders delivered (first
-- delivered event), orders activated (first success) and activation attempts failed
-- (finished in that hour), within the filters. Only what is known at $as_of counts.
-- Grain: one row per hour and series with at least one event; `at` is launch-local (charts).
-- Parameters: $start, $as_of, $channels, $regions, $skus, $couriers.
WITH o AS (
    SELECT sf FROM lb_order_facts_at($as_of, $channels, $regions, $skus, $couriers)
),
ev AS (
    SELECT sf.first_delivered_at AS ts, 'orders delivered' AS series FROM o
    UNION ALL
    SELECT sf.first_success_at, 'orders activated' FROM o
    UNION ALL
    SELECT finished_at, 'activation attempts failed'
    FROM lb_attempts($channels, $regions, $skus, $couriers)
    WHERE result = 'failed'
)
SELECT lb_local(date_trunc('hour', ts)) AS at, series, count(*) AS n
FROM ev
WHERE ts >= $start AND ts <= $as_of
GROUP BY ALL
ORDER BY 1, 2
