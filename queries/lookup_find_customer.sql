-- Order lookup by customer id: every order of the customer that exists at $as_of.
-- Grain: one row per order, oldest first. Phone masked. Parameters: $customer_id, $as_of.
SELECT order_id, customer_id, lb_mask_phone(phone) AS phone, sku, model, region, channel, ordered_at
FROM orders
WHERE customer_id = $customer_id AND ordered_at <= $as_of
ORDER BY ordered_at, order_id
