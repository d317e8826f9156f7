-- Order lookup by order id: the order, if it exists at $as_of (ordered_at <= $as_of).
-- Reads `orders` only (sorted by order_id: one row group); the card adds the stage.
-- Grain: one row per order (0 or 1). Phone masked. Parameters: $order_id, $as_of.
SELECT order_id, customer_id, lb_mask_phone(phone) AS phone, sku, model, region, channel, ordered_at
FROM orders
WHERE order_id = $order_id AND ordered_at <= $as_of
