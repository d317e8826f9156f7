-- Order lookup by order id: the order, if it exists at $as_of (ordered_at <= $as_of).
-- Grain: one row per order (0 or 1). Phone masked. Parameters: $order_id, $as_of.
SELECT
    f.order_id, f.customer_id, lb_mask_phone(o.phone) AS phone, f.sku, f.model, f.region, f.channel,
    f.ordered_at, lb_stage(f.sf, $as_of) AS stage
FROM order_facts f
JOIN orders o USING (order_id)
WHERE f.order_id = $order_id AND o.order_id = $order_id AND f.ordered_at <= $as_of
