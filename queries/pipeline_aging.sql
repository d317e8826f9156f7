-- Aging orders: orders whose time in their current stage at $as_of exceeds $aging_hours.
-- Time in stage = T minus the moment the order entered its stage at T:
--   reserved: ordered_at; allocated: allocated_at; packed: first packed scan;
--   in_transit: first transit scan; delivered: first delivered scan; returned: the latest
--   (returned) scan <= T; activation_pending: the earliest request of an attempt pending at T;
--   activation_failed: the latest attempt finish <= T.
-- Finished stages (activated, cancelled) never age.
-- Grain: one row per aging order, oldest first, at most 5,000 rows; `aging_total` counts all.
-- `since` is launch-local time. Parameters: $as_of, $aging_hours, filters.
WITH open AS (
    SELECT * FROM lb_orders_at($as_of, $channels, $regions, $skus, $couriers)
    WHERE stage NOT IN ('activated', 'cancelled')
),
attempts AS (
    SELECT order_id,
           min(requested_at) FILTER (WHERE requested_at <= $as_of
                                       AND (finished_at IS NULL OR finished_at > $as_of)) AS pending_since,
           max(finished_at) FILTER (WHERE finished_at <= $as_of) AS last_finish
    FROM attempt_facts  -- the current attempts, stored sorted by order (activations is a view)
    WHERE order_id IN (SELECT order_id FROM open WHERE stage IN ('activation_pending', 'activation_failed'))
    GROUP BY order_id
),
o AS (
    SELECT order_id, region, sku, couriers, stage,
        CASE stage
            WHEN 'reserved' THEN ordered_at
            WHEN 'allocated' THEN sf.allocated_at
            WHEN 'packed' THEN sf.first_packed_at
            WHEN 'in_transit' THEN sf.first_transit_at
            WHEN 'delivered' THEN sf.first_delivered_at
            WHEN 'returned' THEN last_scan.at
            WHEN 'activation_pending' THEN a.pending_since
            WHEN 'activation_failed' THEN a.last_finish
        END AS entered_at
    FROM open
    LEFT JOIN attempts a USING (order_id)
),
aging AS (
    SELECT *, (epoch($as_of::TIMESTAMPTZ) - epoch(entered_at)) / 3600.0 AS hours
    FROM o
    WHERE (epoch($as_of::TIMESTAMPTZ) - epoch(entered_at)) / 3600.0 > $aging_hours
)
SELECT order_id, stage, lb_local(entered_at) AS since, round(hours, 1) AS hours, region, sku,
       array_to_string(couriers, ', ') AS courier, count(*) OVER () AS aging_total
FROM aging
ORDER BY hours DESC, order_id
LIMIT 5000
