-- Alert activation_failure_spike: attempts finished in ($as_of - window, $as_of].
-- Grain: one row. Parameters: $as_of, $window_minutes, filters.
SELECT
    count(*) AS finished,
    count(*) FILTER (WHERE result = 'failed') AS failed,
    min(finished_at) FILTER (WHERE result = 'failed') AS first_failure
FROM lb_attempts($channels, $regions, $skus, $couriers)
WHERE result IN ('success', 'failed')
  AND finished_at > $as_of - to_minutes($window_minutes) AND finished_at <= $as_of
