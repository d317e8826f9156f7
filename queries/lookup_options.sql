-- Choices for narrowing a phone lookup: every region and sku of the current orders.
-- Grain: one row per (field, value), field in ('region', 'sku'). Parameters: none.
SELECT 'region' AS field, region AS value FROM orders GROUP BY region
UNION ALL
SELECT 'sku', sku FROM orders GROUP BY sku
ORDER BY field, value
