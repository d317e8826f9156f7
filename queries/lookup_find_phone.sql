-- Order lookup by the last four digits of the phone, optionally narrowed by region and sku
-- ($region / $sku null = any). Orders that exist at $as_of; at most $max_rows rows.
-- Grain: one row per order, by customer then order time. Phone masked.
-- Parameters: $last4, $region, $sku, $as_of, $max_rows.
SELECT order_id, customer_id, lb_mask_phone(phone) AS phone, sku, model, region, channel, ordered_at
FROM orders
-- ends_with is a cheap pre-filter (loaded text is trimmed, and a phone number ends with its
-- last digit); the rule itself is on the digits alone, as lb_mask_phone shows them.
WHERE ends_with(phone, $last4)
  AND right(regexp_replace(phone, '[^0-9]', '', 'g'), 4) = $last4
  AND ($region IS NULL OR region = $region)
  AND ($sku IS NULL OR sku = $sku)
  AND ordered_at <= $as_of
ORDER BY customer_id, ordered_at, order_id
LIMIT $max_rows
