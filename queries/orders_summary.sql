-- Orders as of $as_of (spec 3b): total, count per stage, missed promises.
-- Grain: one row. Parameters: $as_of, $channels, $regions, $skus, $couriers.
SELECT
    count(*) AS total,
    count(*) FILTER (WHERE stage = 'reserved') AS reserved,
    count(*) FILTER (WHERE stage = 'allocated') AS allocated,
    count(*) FILTER (WHERE stage = 'packed') AS packed,
    count(*) FILTER (WHERE stage = 'in_transit') AS in_transit,
    count(*) FILTER (WHERE stage = 'delivered') AS delivered,
    count(*) FILTER (WHERE stage = 'returned') AS returned,
    count(*) FILTER (WHERE stage = 'activation_pending') AS activation_pending,
    count(*) FILTER (WHERE stage = 'activation_failed') AS activation_failed,
    count(*) FILTER (WHERE stage = 'activated') AS activated,
    count(*) FILTER (WHERE stage = 'cancelled') AS cancelled,
    count(*) FILTER (WHERE stage <> 'cancelled' AND promised_delivery_by <= $as_of
                       AND coalesce(sf.first_delivered_at > promised_delivery_by, true)) AS missed_delivery_promise,
    count(*) FILTER (WHERE stage <> 'cancelled' AND promised_activation_by <= $as_of
                       AND coalesce(sf.first_success_at > promised_activation_by, true)) AS missed_activation_promise
FROM lb_orders_at($as_of, $channels, $regions, $skus, $couriers)
