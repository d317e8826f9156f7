-- Where one order stands in the launch's queues at $as_of, and the pace of the last $pace_hours.
-- Counted over orders that exist and are not cancelled at $as_of, each taken with the
-- milestones it had reached by $as_of:
--   queue_position / queue_waiting: the order's rank (by ordered_at, then order_id) among the
--     not-yet-allocated orders of its sku, and how many wait for that sku;
--   sku_allocations: orders of the sku allocated in ($as_of - $pace_hours, $as_of];
--   delivery_backlog: allocated, not delivered orders of its region allocated no later than it
--     (all of them when it is not allocated yet); region_deliveries: first deliveries there in the window;
--   activation_backlog: delivered, not activated orders delivered no later than it (all of them
--     when it is not delivered yet); activations: first successful activations in the window.
-- Grain: one row (none when the order does not exist at $as_of).
-- Parameters: $order_id, $as_of, $pace_hours.
WITH live AS (
    SELECT
        order_id, sku, region, ordered_at,
        CASE WHEN allocated_at <= $as_of THEN allocated_at END AS allocated_at,
        CASE WHEN sf.first_delivered_at <= $as_of THEN sf.first_delivered_at END AS delivered_at,
        CASE WHEN sf.first_success_at <= $as_of THEN sf.first_success_at END AS activated_at
    FROM order_facts
    WHERE ordered_at <= $as_of AND (cancelled_at IS NULL OR cancelled_at > $as_of)
),
me AS (
    SELECT
        order_id, sku, region, ordered_at,
        CASE WHEN allocated_at <= $as_of THEN allocated_at END AS allocated_at,
        CASE WHEN sf.first_delivered_at <= $as_of THEN sf.first_delivered_at END AS delivered_at
    FROM order_facts
    WHERE order_id = $order_id AND ordered_at <= $as_of
),
since AS (SELECT $as_of - to_hours(CAST($pace_hours AS BIGINT)) AS t0)
SELECT
    count(*) FILTER (WHERE l.sku = me.sku AND l.allocated_at IS NULL
                     AND (l.ordered_at, l.order_id) <= (me.ordered_at, me.order_id)) AS queue_position,
    count(*) FILTER (WHERE l.sku = me.sku AND l.allocated_at IS NULL) AS queue_waiting,
    count(*) FILTER (WHERE l.sku = me.sku AND l.allocated_at > since.t0) AS sku_allocations,
    count(*) FILTER (WHERE l.region = me.region AND l.allocated_at IS NOT NULL AND l.delivered_at IS NULL
                     AND (me.allocated_at IS NULL
                          OR (l.allocated_at, l.order_id) <= (me.allocated_at, me.order_id))) AS delivery_backlog,
    count(*) FILTER (WHERE l.region = me.region AND l.delivered_at > since.t0) AS region_deliveries,
    count(*) FILTER (WHERE l.delivered_at IS NOT NULL AND l.activated_at IS NULL
                     AND (me.delivered_at IS NULL
                          OR (l.delivered_at, l.order_id) <= (me.delivered_at, me.order_id))) AS activation_backlog,
    count(*) FILTER (WHERE l.activated_at > since.t0) AS activations
FROM me
CROSS JOIN since
LEFT JOIN live l ON true
GROUP BY me.order_id
