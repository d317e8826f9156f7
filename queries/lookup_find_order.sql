-- Order lookup by order id: the order, if it exists at $as_of (ordered_at <= $as_of).
-- Reads the order's row only (lb_order_row: found by its key); the card adds the stage.
-- Grain: one row per order (0 or 1). Phone masked. Parameters: $order_id, $as_of.
SELECT order_id, customer_id, lb_mask_phone(phone) AS phone, sku, model, region, channel, ordered_at
FROM lb_order_row($order_id)
WHERE ordered_at <= $as_of
