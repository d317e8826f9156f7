-- Messages sent by $as_of (spec 3b): sent, failed, quiet-hours, contradicting state,
-- and customers who got two conflicting templates within $conflict_window_hours.
-- Conflicts are symmetric (template_conflicts holds both directions), so one direction
-- (a <= b) finds every such customer.
-- Grain: one row. Parameters: $as_of, $quiet_start, $quiet_end, $conflict_window_hours, filters.
WITH counts AS (
    SELECT
        count(*) AS sent,
        count(*) FILTER (WHERE status = 'failed') AS failed,
        count(*) FILTER (WHERE quiet) AS quiet_hours,
        count(*) FILTER (WHERE contradicting) AS contradicting_state
    FROM lb_messages_at($as_of, $quiet_start, $quiet_end, $channels, $regions, $skus, $couriers)
),
paired AS MATERIALIZED (  -- only messages whose template is in a declared conflict pair
    SELECT customer_id, message_id, template, sent_at
    FROM lb_message_rows_at($as_of, $channels, $regions, $skus, $couriers)
    WHERE template IN (SELECT a FROM template_conflicts)
),
conflicting AS (
    SELECT DISTINCT a.customer_id
    FROM paired a
    JOIN template_conflicts tc ON tc.a = a.template AND tc.a <= tc.b
    JOIN paired b ON b.customer_id = a.customer_id AND b.template = tc.b AND b.message_id <> a.message_id
    WHERE abs(epoch(b.sent_at) - epoch(a.sent_at)) <= $conflict_window_hours * 3600
)
SELECT counts.*, (SELECT count(*) FROM conflicting) AS conflicting_customers
FROM counts
