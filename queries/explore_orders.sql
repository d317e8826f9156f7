-- Explore sandbox table `orders`: the current version of each order, extra columns included.
-- Phone columns are masked by launchboard.sandbox before the rows leave the Store.
-- Grain: one row per order_id. Parameters: none.
-- No ORDER BY: launchboard.sandbox counts the rows as is and copies them sorted (VIEWS).
SELECT * FROM orders
