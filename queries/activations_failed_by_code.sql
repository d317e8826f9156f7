-- Failed attempts finished by $as_of, per error code. Grain: one row per error_code.
-- Parameters: $as_of, $channels, $regions, $skus, $couriers.
SELECT error_code, count(*) AS failed
FROM lb_attempts($channels, $regions, $skus, $couriers)
WHERE result = 'failed' AND finished_at <= $as_of
GROUP BY error_code
ORDER BY failed DESC, error_code
