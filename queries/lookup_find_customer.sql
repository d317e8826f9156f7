-- Order lookup by customer id: every order of the customer that exists at $as_of.
-- Grain: one row per order, oldest first. Phone masked. Parameters: $customer_id, $as_of.
WITH mine AS (
    SELECT order_id, phone FROM orders WHERE customer_id = $customer_id
)
SELECT
    f.order_id, f.customer_id, lb_mask_phone(mine.phone) AS phone, f.sku, f.model, f.region, f.channel,
    f.ordered_at, lb_stage(f.sf, $as_of) AS stage
FROM order_facts f
JOIN mine USING (order_id)
WHERE f.customer_id = $customer_id AND f.ordered_at <= $as_of
ORDER BY f.ordered_at, f.order_id
