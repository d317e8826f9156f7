-- The calls whose customer a drop may change (launchboard.resolve, incremental): the calls the
-- drop brought (lb_touched_calls) and those whose number is one of the touched orders' numbers
-- (lb_resolve_phones). Grain: one row per call_id. Parameters: none.
CREATE OR REPLACE TEMP TABLE lb_resolve_calls AS
SELECT call_id FROM lb_touched_calls
UNION
SELECT call_id FROM calls WHERE customer_phone IN (SELECT phone FROM lb_resolve_phones);
