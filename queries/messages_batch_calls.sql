-- One batch ($batch) as of $as_of: the calls traced to it (lb_batch_calls) per 15 minutes of
-- arrival, and its day-before baseline's calls (lb_batch_day_before) drawn 24 h later, in the
-- quarter they would fall in today (launch-local). The day-before series is what the baseline
-- counts only when the batch's baseline_method is 'day before'.
-- Grain: one row per quarter hour and series with a call.
-- Parameters: $as_of, $batch, $call_window_hours, filters.
SELECT time_bucket(INTERVAL 15 MINUTE, lb_local(arrived_at)) AS at, 'traced to the batch' AS series, count(*) AS calls
FROM lb_batch_calls($as_of, $call_window_hours, false, $channels, $regions, $skus, $couriers)
WHERE batch = $batch
GROUP BY ALL
UNION ALL
SELECT time_bucket(INTERVAL 15 MINUTE, lb_local(arrived_at + INTERVAL 24 HOUR)), 'the same customers the day before', count(*)
FROM lb_batch_day_before($as_of, $call_window_hours, false, $channels, $regions, $skus, $couriers)
WHERE batch = $batch
GROUP BY ALL
ORDER BY 1, 2
