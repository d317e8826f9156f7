-- Alerts delivery_promise_breach / activation_promise_breach at $as_of (spec 3b):
-- orders not cancelled, whose promise is due, and that are not delivered / activated at T.
-- By the first two stage rules an order is cancelled at T exactly when cancelled_at <= T, and
-- (not cancelled) activated exactly when its first success finished <= T: those milestones
-- decide it, without looking up the whole stage.
-- Grain: one row. Parameters: $as_of, filters.
WITH due AS (
    SELECT promised_delivery_by, promised_activation_by,
           coalesce(sf.first_delivered_at > $as_of, true) AS undelivered,
           NOT coalesce(sf.first_success_at <= $as_of, false) AS unactivated
    FROM order_facts f
    WHERE f.ordered_at <= $as_of
      AND NOT coalesce(f.cancelled_at <= $as_of, false)
      AND lb_in_scope([f.channel], [f.region], [f.sku], f.couriers, $channels, $regions, $skus, $couriers)
)
SELECT
    count(*) FILTER (WHERE promised_delivery_by <= $as_of AND undelivered) AS delivery_breaches,
    min(promised_delivery_by) FILTER (WHERE promised_delivery_by <= $as_of AND undelivered) AS delivery_since,
    count(*) FILTER (WHERE promised_activation_by <= $as_of AND unactivated) AS activation_breaches,
    min(promised_activation_by) FILTER (WHERE promised_activation_by <= $as_of AND unactivated) AS activation_since
FROM due
