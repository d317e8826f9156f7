-- Explore sandbox table `order_stages`: every order that exists at $as_of with its spec 3b
-- stage at $as_of and the milestone times the stage rules use (no page filters).
-- Grain: one row per order_id. Parameters: $as_of.
-- No ORDER BY: launchboard.sandbox counts the rows as is and copies them sorted (VIEWS).
SELECT
    f.order_id, f.customer_id, f.channel, f.sku, f.region, f.model, f.priority, f.ordered_at,
    f.allocated_at, f.cancelled_at, f.promised_delivery_by, f.promised_activation_by,
    sf.first_packed_at AS first_packed_at,
    sf.first_transit_at AS first_transit_at,
    sf.first_delivered_at AS first_delivered_at,
    sf.first_success_at AS first_activated_at,
    s.stage,
    $as_of AS stage_as_of
FROM order_facts f
JOIN stage_timeline s ON s.order_id = f.order_id AND s.from_at <= $as_of AND $as_of < s.to_at
WHERE f.ordered_at <= $as_of
