-- Alert message_call_surge: the batches whose call window is still open at $as_of (a reached
-- customer's message was sent at or after $as_of - $call_window_hours), with the calls their
-- recipients made so far and the baseline for the same windows (lb_batch_impact). The rule
-- (calls >= min_surge_calls and calls > call_surge_ratio x baseline) is metrics.alerts'.
-- Grain: one row per open batch. Parameters: $as_of, $call_window_hours, filters.
SELECT batch, customers_reached, calls, baseline, baseline_method, first_call
FROM lb_batch_impact($as_of, $call_window_hours, true, $channels, $regions, $skus, $couriers)
WHERE window_open
ORDER BY batch
