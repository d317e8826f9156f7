-- Order lookup by the last four digits of the phone, optionally narrowed by region and sku
-- ($region / $sku null = any). Orders that exist at $as_of; at most $max_rows rows.
-- Grain: one row per order, by customer then order time. Phone masked.
-- Parameters: $last4, $region, $sku, $as_of, $max_rows.
WITH hits AS (
    SELECT order_id, phone
    FROM orders
    WHERE ends_with(trim(phone), $last4)  -- cheap pre-filter; the exact rule is on the digits
      AND right(regexp_replace(phone, '[^0-9]', '', 'g'), 4) = $last4
      AND ($region IS NULL OR region = $region)
      AND ($sku IS NULL OR sku = $sku)
      AND ordered_at <= $as_of
)
SELECT
    f.order_id, f.customer_id, lb_mask_phone(hits.phone) AS phone, f.sku, f.model, f.region, f.channel,
    f.ordered_at, lb_stage(f.sf, $as_of) AS stage
FROM order_facts f
JOIN hits USING (order_id)
ORDER BY f.customer_id, f.ordered_at, f.order_id
LIMIT $max_rows
