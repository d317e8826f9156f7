-- Alert message_call_surge: the batches whose call window is still open at $as_of (a reached
-- customer's message sent in [$as_of - $call_window_hours, $as_of]), with the customers they
-- reached, the calls traced to them so far and the baseline for the same windows so far
-- (lb_batch_counts). The rule (calls >= min_surge_calls and calls > call_surge_ratio x baseline)
-- is alerts.surge_alerts'. Grain: one row per open batch. Parameters: $as_of, $call_window_hours, filters.
SELECT batch, customers_reached, calls, first_call, baseline, baseline_method
FROM lb_batch_counts($as_of, $call_window_hours, true, $channels, $regions, $skus, $couriers)
WHERE window_open
ORDER BY batch
