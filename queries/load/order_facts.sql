-- order_facts: one row per current order, with everything the stage rules need in `sf`
-- (milestone times, the attempt list and the shipment event list) so that
-- lb_stage(sf, t) evaluates an order at any moment t. Also the couriers that carried it.
-- customer_facts: one row per customer with orders, for filtering calls.
-- Parameters: none. Rebuilt after every load.
CREATE OR REPLACE TABLE order_facts AS
WITH ev AS (
    SELECT
        order_id,
        list(struct_pack(at := event_at, ev := event, hub := hub)
             ORDER BY event_at,
                      list_position(['packed', 'picked_up', 'at_hub', 'out_for_delivery',
                                     'failed_attempt', 'delivered', 'returned'], event),
                      event_id) AS events,
        min(event_at) FILTER (WHERE event = 'delivered') AS first_delivered_at,
        min(event_at) FILTER (WHERE event IN ('picked_up', 'at_hub', 'out_for_delivery', 'failed_attempt')) AS first_transit_at,
        min(event_at) FILTER (WHERE event = 'packed') AS first_packed_at,
        list(DISTINCT courier ORDER BY courier) AS couriers
    FROM shipments
    GROUP BY order_id
),
act AS (
    SELECT
        order_id,
        list(struct_pack(req := requested_at, fin := finished_at)) AS attempts,
        min(finished_at) FILTER (WHERE result = 'success') AS first_success_at,
        min(finished_at) FILTER (WHERE result = 'failed') AS first_failed_at
    FROM activations
    GROUP BY order_id
)
SELECT
    o.order_id, o.customer_id, o.channel, o.sku, o.region, o.model, o.priority,
    o.ordered_at, o.allocated_at, o.cancelled_at, o.promised_delivery_by, o.promised_activation_by,
    coalesce(ev.couriers, []) AS couriers,
    struct_pack(
        cancelled_at := o.cancelled_at,
        allocated_at := o.allocated_at,
        first_success_at := act.first_success_at,
        first_failed_at := act.first_failed_at,
        attempts := act.attempts,
        events := ev.events,
        first_delivered_at := ev.first_delivered_at,
        first_transit_at := ev.first_transit_at,
        first_packed_at := ev.first_packed_at
    ) AS sf
FROM orders o
LEFT JOIN ev USING (order_id)
LEFT JOIN act USING (order_id)
ORDER BY o.order_id;  -- sorted: a lookup by order_id reads one row group

CREATE OR REPLACE TABLE customer_facts AS
SELECT
    customer_id,
    list(DISTINCT channel) AS channels,
    list(DISTINCT region) AS regions,
    list(DISTINCT sku) AS skus,
    list_distinct(flatten(list(couriers))) AS couriers
FROM order_facts
GROUP BY customer_id;
