-- Conflicting instructions by $as_of: customers who received both templates of a pair the
-- catalog declares in conflict, sent within $conflict_window_hours of each other (decided at
-- load in message_conflicts with that window; the rule of messages_summary.conflicting_customers,
-- split by pair; a customer may count in several pairs). Both messages within the filters.
-- Grain: one row per template pair (template_a < template_b). Parameters: $as_of, filters.
WITH hits AS (
    SELECT DISTINCT template_a, template_b, customer_id
    FROM message_conflicts
    WHERE template_a < template_b AND seen_at <= $as_of
      AND lb_in_scope([channel_a], [region_a], [sku_a], couriers_a, $channels, $regions, $skus, $couriers)
      AND lb_in_scope([channel_b], [region_b], [sku_b], couriers_b, $channels, $regions, $skus, $couriers)
)
SELECT
    template_a,
    template_b,
    count(*) AS customers,
    array_to_string(min(customer_id, 3), ', ') AS example_customers  -- the three smallest ids
FROM hits
GROUP BY ALL
ORDER BY customers DESC, template_a, template_b
