-- Orders as of $as_of (spec 3b): total, count per stage, missed promises.
-- Stages come from the timeline; the promises from order_facts (no join): an order's stage
-- is cancelled at T exactly when cancelled_at <= T (the first stage rule).
-- Grain: one row. Parameters: $as_of, $channels, $regions, $skus, $couriers.
WITH stages AS (
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
        count(*) FILTER (WHERE stage = 'cancelled') AS cancelled
    FROM lb_stages_at($as_of, $channels, $regions, $skus, $couriers)
),
promises AS (
    SELECT
        count(*) FILTER (WHERE promised_delivery_by <= $as_of
                           AND coalesce(sf.first_delivered_at > promised_delivery_by, true)) AS missed_delivery_promise,
        count(*) FILTER (WHERE promised_activation_by <= $as_of
                           AND coalesce(sf.first_success_at > promised_activation_by, true)) AS missed_activation_promise
    FROM lb_order_facts_at($as_of, $channels, $regions, $skus, $couriers)
    WHERE NOT coalesce(cancelled_at <= $as_of, false)
)
SELECT * FROM stages, promises
