-- Activation attempts per launch-local hour over the last $span_hours up to $as_of:
-- attempts (by requested_at), successes and failures (by finished_at), hours without any
-- filled with 0. Grain: one row per hour and series (long form, <= 3 x span_hours rows).
-- `at` is launch-local wall-clock time. Parameters: $as_of, $span_hours, filters.
WITH a AS (SELECT * FROM lb_attempts($channels, $regions, $skus, $couriers)),
ev AS (
    SELECT requested_at AS ts, 'attempts' AS series FROM a WHERE requested_at <= $as_of
    UNION ALL
    SELECT finished_at, CASE result WHEN 'success' THEN 'successes' ELSE 'failures' END
    FROM a WHERE result IN ('success', 'failed') AND finished_at <= $as_of
),
recent AS (SELECT date_trunc('hour', lb_local(ts)) AS bucket, series FROM ev
           WHERE ts > $as_of - to_hours(CAST($span_hours AS BIGINT))),
hours AS (
    SELECT unnest(generate_series(min(r.bucket), date_trunc('hour', lb_local($as_of)), INTERVAL 1 HOUR)) AS bucket
    FROM recent r HAVING count(*) > 0
),
series AS (SELECT unnest(['attempts', 'successes', 'failures']) AS series)
SELECT h.bucket AS at, s.series, count(r.bucket) AS n
FROM hours h CROSS JOIN series s
LEFT JOIN recent r ON r.bucket = h.bucket AND r.series = s.series
GROUP BY ALL
ORDER BY 1, 2
