-- Incident review: where the replay starts, the first order's ordered_at (null without orders).
-- Grain: one row. Parameters: none.
-- (order_facts: one row per current order, whose min DuckDB answers from its statistics)
SELECT min(ordered_at) AS first_order FROM order_facts
