-- Failed messages sent by $as_of, per delivery error code. Grain: one row per error_code.
-- Parameters: $as_of, $quiet_start, $quiet_end, filters.
SELECT error_code, count(*) AS failed
FROM lb_messages_at($as_of, $quiet_start, $quiet_end, $channels, $regions, $skus, $couriers)
WHERE status = 'failed'
GROUP BY error_code
ORDER BY failed DESC, error_code
