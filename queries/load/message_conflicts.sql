-- message_conflicts: customers who received two templates the catalog declares in conflict
-- (template_conflicts, both directions; here template_a <= template_b) sent within
-- $conflict_window_hours of each other, per template pair and the filter fields of the two
-- messages, with the moment the pair is complete (seen_at: the later send; the earliest such
-- pair). A customer has conflicting instructions at T within the filters exactly when a row
-- has seen_at <= T and both messages' fields within the filters (messages_summary,
-- messages_conflict_pairs), so those figures read this table instead of joining messages.
-- Built after queries/load/order_facts.sql from message_facts (for a small drop: in the
-- scratch schema, for the customers whose messages changed).
-- Grain: one row per customer, template pair and pair of filter fields.
-- Parameters: $conflict_window_hours.
CREATE OR REPLACE TABLE message_conflicts AS
WITH paired AS (
    SELECT customer_id, message_id, template, sent_at, channel, region, sku, couriers
    FROM message_facts
    WHERE template IN (SELECT a FROM template_conflicts)
)
SELECT
    a.customer_id, a.template AS template_a, b.template AS template_b,
    a.channel AS channel_a, a.region AS region_a, a.sku AS sku_a, a.couriers AS couriers_a,
    b.channel AS channel_b, b.region AS region_b, b.sku AS sku_b, b.couriers AS couriers_b,
    min(greatest(a.sent_at, b.sent_at)) AS seen_at
FROM paired a
JOIN template_conflicts tc ON tc.a = a.template AND tc.a <= tc.b
JOIN paired b ON b.customer_id = a.customer_id AND b.template = tc.b AND b.message_id <> a.message_id
WHERE abs(epoch(b.sent_at) - epoch(a.sent_at)) <= $conflict_window_hours * 3600
GROUP BY ALL;
