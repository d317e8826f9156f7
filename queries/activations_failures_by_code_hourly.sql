-- Failed activation attempts per launch-local hour (by finished_at) and error code, over the
-- last $span_hours up to $as_of. Grain: one row per hour and error code with failures.
-- Parameters: $as_of, $span_hours, filters.
SELECT
    date_trunc('hour', lb_local(finished_at)) AS at,
    coalesce(error_code, '(none)') AS error_code,
    count(*) AS failed
FROM lb_attempts($channels, $regions, $skus, $couriers)
WHERE result = 'failed' AND finished_at <= $as_of
  AND finished_at > $as_of - to_hours(CAST($span_hours AS BIGINT))
GROUP BY ALL
ORDER BY 1, failed DESC, error_code
