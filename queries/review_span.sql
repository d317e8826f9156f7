-- Incident review: where the replay starts, the first order's ordered_at (null without orders).
-- Grain: one row. Parameters: none.
SELECT min(ordered_at) AS first_order FROM orders
