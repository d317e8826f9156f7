-- Orders late against their delivery promise at $as_of (spec 3b "misses its delivery
-- promise": not cancelled at T, promised_delivery_by <= T, no delivered scan <=
-- promised_delivery_by), by region, by courier (each courier that carried the order;
-- '(no shipment)' without scans) and by hub (the hub of the order's latest scan <= T that
-- names one; '(no hub scan)' otherwise). `due` = orders not cancelled whose promise is due.
-- Grain: one row per dimension and value with at least one due order.
-- Parameters: $as_of, $channels, $regions, $skus, $couriers.
WITH due AS (
    SELECT region, couriers,
           last_hub AS hub,
           coalesce(sf.first_delivered_at > promised_delivery_by, true) AS late
    FROM lb_orders_at($as_of, $channels, $regions, $skus, $couriers)
    WHERE stage <> 'cancelled' AND promised_delivery_by <= $as_of
)
SELECT 'region' AS dimension, region AS value, count(*) AS due, count(*) FILTER (WHERE late) AS late
FROM due GROUP BY ALL
UNION ALL
SELECT 'courier', courier, count(*), count(*) FILTER (WHERE late)
FROM (SELECT unnest(CASE WHEN len(couriers) = 0 THEN ['(no shipment)'] ELSE couriers END) AS courier, late FROM due)
GROUP BY ALL
UNION ALL
SELECT 'hub', coalesce(hub, '(no hub scan)'), count(*), count(*) FILTER (WHERE late)
FROM due GROUP BY ALL
ORDER BY 1, 4 DESC, 2
