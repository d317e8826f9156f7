-- Calls traced to a message batch (lb_batch_calls: within $call_window_hours after the caller's
-- message, the most recent batch) per 15 minutes of arrival (launch-local) over the last
-- $span_hours, among the calls offered at $as_of: drawn under calls_per_15min.
-- Grain: one row per quarter hour and batch with a traced call.
-- Parameters: $as_of, $span_hours, $call_window_hours, filters.
SELECT time_bucket(INTERVAL 15 MINUTE, lb_local(arrived_at)) AS at, batch, count(*) AS calls
FROM lb_batch_calls($as_of, $call_window_hours, false, $channels, $regions, $skus, $couriers)
WHERE arrived_at > $as_of - to_hours(CAST($span_hours AS BIGINT))
GROUP BY ALL
ORDER BY 1, 2
