-- Explore sandbox table `orders`: the current version of each order, extra columns included.
-- Phone columns are masked by launchboard.sandbox before the rows leave the Store.
-- Grain: one row per order_id. Parameters: none.
SELECT * FROM orders ORDER BY order_id
