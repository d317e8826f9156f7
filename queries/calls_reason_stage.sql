-- Calls offered at $as_of by reason and by the caller's order stage at arrival: the stage
-- (spec rules at arrived_at) of the caller's most recent order (customer_id) with
-- ordered_at <= arrived_at, decided at load (queries/load/call_facts.sql);
-- 'unknown' when the caller is unknown or had no order yet.
-- Reason null = '(none)'. Grain: one row per (reason, stage). Parameters: $as_of, filters.
SELECT
    coalesce(c.reason, '(none)') AS reason,
    coalesce(c.caller_stage, 'unknown') AS stage,
    count(*) AS calls
FROM lb_calls_at($as_of, $channels, $regions, $skus, $couriers) c
GROUP BY ALL
ORDER BY calls DESC, reason, stage
