-- Messages sent by $as_of (spec 3b): sent, failed, quiet-hours, contradicting state,
-- and customers who got two conflicting templates within $conflict_window_hours.
-- Grain: one row. Parameters: $as_of, $quiet_start, $quiet_end, $conflict_window_hours, filters.
WITH m AS (
    SELECT * FROM lb_messages_at($as_of, $quiet_start, $quiet_end, $channels, $regions, $skus, $couriers)
),
conflicting AS (
    SELECT DISTINCT a.customer_id
    FROM m a
    JOIN template_conflicts tc ON tc.a = a.template
    JOIN m b ON b.customer_id = a.customer_id AND b.template = tc.b AND b.message_id <> a.message_id
    WHERE abs(epoch(b.sent_at) - epoch(a.sent_at)) <= $conflict_window_hours * 3600
)
SELECT
    (SELECT count(*) FROM m) AS sent,
    (SELECT count(*) FROM m WHERE status = 'failed') AS failed,
    (SELECT count(*) FROM m WHERE quiet) AS quiet_hours,
    (SELECT count(*) FROM m WHERE contradicting) AS contradicting_state,
    (SELECT count(*) FROM conflicting) AS conflicting_customers
