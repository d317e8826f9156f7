-- The customer of each message read from a log that names the recipient's number
-- (customer_phone): the customer of its order when the orders carry that order, else the one
-- customer whose orders carry the number, else the number's stand-in (lb_phone_standin: none
-- or several customers). Grain: one row per message whose customer_id changes, with the order it
-- names (launchboard.resolve touches that order, so a drop rebuilds the message with its order's facts).
-- Parameters: $whole (every such row; else only those in lb_resolve_messages).
CREATE OR REPLACE TEMP TABLE lb_resolved_messages AS
WITH scope AS (
    SELECT m.message_id, m.customer_id, m.customer_phone, m.order_id, least(m.sent_at, m.updated_at) AS first_at
    FROM messages m
    WHERE m.customer_phone IS NOT NULL AND ($whole OR m.message_id IN (SELECT message_id FROM lb_resolve_messages))
),
owners AS (
    SELECT phone, CASE WHEN count(DISTINCT customer_id) = 1 THEN min(customer_id) END AS customer_id
    FROM phone_directory
    WHERE $whole OR phone IN (SELECT customer_phone FROM scope)
    GROUP BY phone
),
decided AS (
    SELECT s.message_id, s.order_id, s.customer_id AS before, s.first_at,
           coalesce(o.customer_id, w.customer_id, lb_phone_standin(s.customer_phone)) AS customer_id
    FROM scope s
    LEFT JOIN orders o ON o.order_id = s.order_id
    LEFT JOIN owners w ON w.phone = s.customer_phone
)
SELECT message_id, customer_id, first_at, order_id FROM decided WHERE before IS DISTINCT FROM customer_id;
