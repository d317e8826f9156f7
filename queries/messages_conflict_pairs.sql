-- Conflicting instructions by $as_of: customers who received both templates of a pair the
-- catalog declares in conflict, sent within $conflict_window_hours of each other (the rule
-- of messages_summary.conflicting_customers, split by pair; a customer may count in
-- several pairs). Grain: one row per template pair (template_a < template_b).
-- Parameters: $as_of, $conflict_window_hours, filters.
WITH m AS (  -- only messages whose template is in a declared conflict pair
    SELECT customer_id, message_id, template, sent_at
    FROM lb_message_rows_at($as_of, $channels, $regions, $skus, $couriers)
    WHERE template IN (SELECT a FROM template_conflicts)
),
hits AS (
    SELECT DISTINCT a.template AS template_a, b.template AS template_b, a.customer_id
    FROM m a
    JOIN template_conflicts tc ON tc.a = a.template AND tc.a < tc.b
    JOIN m b ON b.customer_id = a.customer_id AND b.template = tc.b AND b.message_id <> a.message_id
    WHERE abs(epoch(b.sent_at) - epoch(a.sent_at)) <= $conflict_window_hours * 3600
)
SELECT
    template_a,
    template_b,
    count(*) AS customers,
    array_to_string(min(customer_id, 3), ', ') AS example_customers  -- the three smallest ids
FROM hits
GROUP BY ALL
ORDER BY customers DESC, template_a, template_b
