-- call_facts: one row per current call with what the call figures need, so that they read one
-- table: the call's columns, its wait (answered calls), the filter fields of its caller's orders
-- (customer_facts: null when the caller is unknown or has no order), and the caller's order at
-- arrival (the customer's most recent order with ordered_at <= arrived_at, ties by order_id)
-- with that order's stage then (both null when the caller is unknown or had no order yet).
-- Built after queries/load/order_facts.sql from calls, customer_facts, order_facts and
-- stage_timeline (for a small drop: in the same scratch schema, for the touched callers only).
-- Grain: one row per current call. Parameters: none.
CREATE OR REPLACE TABLE call_facts AS
WITH caller_order AS (
    SELECT c.call_id, c.arrived_at, f.order_id
    FROM calls c JOIN order_facts f ON f.customer_id = c.customer_id AND f.ordered_at <= c.arrived_at
    QUALIFY row_number() OVER (PARTITION BY c.call_id ORDER BY f.ordered_at DESC, f.order_id DESC) = 1
),
caller_stage AS (
    SELECT co.call_id, co.order_id AS caller_order_id, s.stage AS caller_stage
    FROM caller_order co
    LEFT JOIN stage_timeline s ON s.order_id = co.order_id AND s.from_at <= co.arrived_at AND co.arrived_at < s.to_at
)
SELECT
    c.*,
    CASE WHEN c.outcome = 'answered' THEN epoch(c.answered_at) - epoch(c.arrived_at) END AS wait_seconds,
    cf.channels, cf.regions, cf.skus, cf.couriers,
    cs.caller_order_id, cs.caller_stage
FROM calls c
LEFT JOIN customer_facts cf USING (customer_id)
LEFT JOIN caller_stage cs USING (call_id);
