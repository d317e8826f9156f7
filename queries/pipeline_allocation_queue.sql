-- The allocation queue per sku at $as_of: orders waiting for stock (stage reserved) and
-- orders allocated but not yet packed (stage allocated).
-- Grain: one row per sku with at least one such order, longest queue first.
-- Parameters: $as_of, $channels, $regions, $skus, $couriers.
SELECT sku,
       count(*) FILTER (WHERE stage = 'reserved') AS reserved,
       count(*) FILTER (WHERE stage = 'allocated') AS allocated
FROM lb_orders_at($as_of, $channels, $regions, $skus, $couriers)
WHERE stage IN ('reserved', 'allocated')
GROUP BY sku
ORDER BY reserved DESC, allocated DESC, sku
