-- The launch's queues and pace at $as_of, for the order card's estimates. Over orders that
-- exist and are not cancelled at $as_of, with the milestones they had reached by then:
--   per sku:    waiting (not allocated), allocations in ($since, $as_of];
--   per region: in_pipeline (allocated, not delivered), deliveries (first delivery in the window);
--   overall:    awaiting_activation (delivered, not activated), activations (first success in the window).
-- Grain: one row per sku, one per region, one overall (`field` = 'sku' | 'region' | 'all').
-- Parameters: $as_of, $since.
WITH live AS (
    SELECT
        sku, region,
        allocated_at <= $as_of AS allocated,
        allocated_at > $since AND allocated_at <= $as_of AS allocated_lately,
        sf.first_delivered_at <= $as_of AS delivered,
        sf.first_delivered_at > $since AND sf.first_delivered_at <= $as_of AS delivered_lately,
        sf.first_success_at <= $as_of AS activated,
        sf.first_success_at > $since AND sf.first_success_at <= $as_of AS activated_lately
    FROM order_facts
    WHERE ordered_at <= $as_of AND (cancelled_at IS NULL OR cancelled_at > $as_of)
)
SELECT
    CASE WHEN GROUPING(sku) = 0 THEN 'sku' WHEN GROUPING(region) = 0 THEN 'region' ELSE 'all' END AS field,
    coalesce(sku, region) AS key,
    count(*) FILTER (WHERE NOT coalesce(allocated, false)) AS waiting,
    count(*) FILTER (WHERE allocated_lately) AS allocations,
    count(*) FILTER (WHERE allocated AND NOT coalesce(delivered, false)) AS in_pipeline,
    count(*) FILTER (WHERE delivered_lately) AS deliveries,
    count(*) FILTER (WHERE delivered AND NOT coalesce(activated, false)) AS awaiting_activation,
    count(*) FILTER (WHERE activated_lately) AS activations
FROM live
GROUP BY GROUPING SETS ((sku), (region), ())
ORDER BY field, key
