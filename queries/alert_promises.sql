-- Alerts delivery_promise_breach / activation_promise_breach at $as_of (spec 3b):
-- orders not cancelled, whose promise is due, and that are not delivered / activated at T.
-- Grain: one row. Parameters: $as_of, filters.
SELECT
    count(*) FILTER (WHERE promised_delivery_by <= $as_of AND coalesce(sf.first_delivered_at > $as_of, true)) AS delivery_breaches,
    min(promised_delivery_by) FILTER (WHERE promised_delivery_by <= $as_of AND coalesce(sf.first_delivered_at > $as_of, true)) AS delivery_since,
    count(*) FILTER (WHERE promised_activation_by <= $as_of AND stage <> 'activated') AS activation_breaches,
    min(promised_activation_by) FILTER (WHERE promised_activation_by <= $as_of AND stage <> 'activated') AS activation_since
FROM lb_orders_at($as_of, $channels, $regions, $skus, $couriers)
WHERE stage <> 'cancelled'
