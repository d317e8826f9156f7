-- The current messages with their customers decided in the same pass (derive.rebuild, a
-- messages table built whole while phone_directory is current): a message with a number
-- (customer_phone) is its order's customer when the orders carry the order, else the one
-- customer whose orders carry the number, else the number's stand-in. The same rule as
-- resolve_messages.sql. Reads lb_current (a temp view: the current versions of messages).
-- Grain: one row per message. Parameters: none.
SELECT m.* REPLACE (
    CASE WHEN m.customer_phone IS NULL THEN m.customer_id
         ELSE coalesce(o.customer_id, w.customer_id, lb_phone_standin(m.customer_phone)) END AS customer_id)
FROM lb_current m
LEFT JOIN orders o ON o.order_id = m.order_id AND m.customer_phone IS NOT NULL
LEFT JOIN (
    SELECT phone, CASE WHEN count(DISTINCT customer_id) = 1 THEN min(customer_id) END AS customer_id
    FROM phone_directory
    GROUP BY phone
) w ON w.phone = m.customer_phone
