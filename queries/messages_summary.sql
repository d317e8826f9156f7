-- Messages sent by $as_of (spec 3b): sent, failed, quiet-hours, contradicting state,
-- and customers who got two conflicting templates within $conflict_window_hours: a pair of
-- their messages decided at load (message_conflicts, with that window), complete by $as_of,
-- both within the filters. Conflicts are symmetric (template_conflicts holds both
-- directions), so one direction (a <= b) finds every such customer.
-- Grain: one row. Parameters: $as_of, $quiet_start, $quiet_end, filters.
WITH counts AS (
    SELECT
        count(*) AS sent,
        count(*) FILTER (WHERE status = 'failed') AS failed,
        count(*) FILTER (WHERE quiet) AS quiet_hours,
        count(*) FILTER (WHERE contradicting) AS contradicting_state
    FROM lb_messages_at($as_of, $quiet_start, $quiet_end, $channels, $regions, $skus, $couriers)
),
conflicting AS (
    SELECT count(DISTINCT customer_id) AS customers
    FROM message_conflicts
    WHERE seen_at <= $as_of
      AND lb_in_scope([channel_a], [region_a], [sku_a], couriers_a, $channels, $regions, $skus, $couriers)
      AND lb_in_scope([channel_b], [region_b], [sku_b], couriers_b, $channels, $regions, $skus, $couriers)
)
SELECT counts.*, conflicting.customers AS conflicting_customers
FROM counts, conflicting
