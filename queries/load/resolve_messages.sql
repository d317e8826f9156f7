-- The customer of each message read from a log that names the recipient's number
-- (customer_phone): the customer of its order when the orders carry that order, else the one
-- customer whose orders carry the number, else the number's stand-in (lb_phone_standin: none
-- or several customers). Only the messages in lb_resolve_messages (message_id), and only those
-- whose customer changes. Grain: one row per message whose customer_id changes. Parameters: none.
CREATE OR REPLACE TEMP TABLE lb_resolved_messages AS
WITH scope AS (
    SELECT m.message_id, m.customer_id, m.customer_phone, m.order_id, least(m.sent_at, m.updated_at) AS first_at
    FROM messages m SEMI JOIN lb_resolve_messages r USING (message_id)
    WHERE m.customer_phone IS NOT NULL
),
owners AS (
    SELECT phone, CASE WHEN count(DISTINCT customer_id) = 1 THEN min(customer_id) END AS customer_id
    FROM phone_directory SEMI JOIN (SELECT DISTINCT customer_phone AS phone FROM scope) USING (phone)
    GROUP BY phone
),
decided AS (
    SELECT s.message_id, s.customer_id AS before, s.first_at,
           coalesce(o.customer_id, w.customer_id, lb_phone_standin(s.customer_phone)) AS customer_id
    FROM scope s
    LEFT JOIN orders o ON o.order_id = s.order_id
    LEFT JOIN owners w ON w.phone = s.customer_phone
)
SELECT message_id, customer_id, first_at FROM decided WHERE before IS DISTINCT FROM customer_id;
