-- Calls per 15 minutes of arrival (launch-local) over the last $span_hours, among the calls
-- offered at $as_of (ended_at <= T): offered, answered, abandoned, rejected; empty quarters
-- filled with 0. Grain: one row per quarter hour and series (<= 16 x span_hours rows).
-- Parameters: $as_of, $span_hours, filters.
WITH c AS (
    SELECT time_bucket(INTERVAL 15 MINUTE, lb_local(arrived_at)) AS bucket, outcome
    FROM lb_calls_at($as_of, $channels, $regions, $skus, $couriers)
    WHERE arrived_at > $as_of - to_hours(CAST($span_hours AS BIGINT))
),
quarters AS (
    SELECT unnest(generate_series(min(c.bucket), time_bucket(INTERVAL 15 MINUTE, lb_local($as_of)), INTERVAL 15 MINUTE)) AS bucket
    FROM c HAVING count(*) > 0
),
series AS (SELECT unnest(['offered', 'answered', 'abandoned', 'rejected']) AS series)
SELECT q.bucket AS at, s.series, count(c.bucket) AS calls
FROM quarters q CROSS JOIN series s
LEFT JOIN c ON c.bucket = q.bucket AND (s.series = 'offered' OR c.outcome = s.series)
GROUP BY ALL
ORDER BY 1, 2
