-- Calls traced to messages as of $as_of: per message batch and correction, the customers it
-- reached, the calls they made within $call_window_hours after their message (a call shared by
-- overlapping batches counts for the most recent message before it), the baseline (the same
-- windows the day before, or the launch's calls per customer per hour), the excess, the share
-- of all calls in the batch's window and the callers' reasons. Defined in lb_batch_impact
-- (queries/table_macros.sql). Times are instants.
-- Grain: one row per batch, most excess calls first. Parameters: $as_of, $call_window_hours, filters.
SELECT batch, template, corrects, messages, customers_reached, first_reach, last_reach, calls,
       baseline_method, baseline, excess, rate_ratio, window_calls, load_share, first_call, reasons, window_open
FROM lb_batch_impact($as_of, $call_window_hours, false, $channels, $regions, $skus, $couriers)
ORDER BY excess DESC NULLS LAST, calls DESC, batch
