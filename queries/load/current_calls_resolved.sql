-- The current calls with their customers decided in the same pass (derive.rebuild, a calls
-- table built whole while phone_directory is current): a call with a number (customer_phone)
-- is the one customer's whose current orders carry it; none or several keep the row's own
-- customer_id (null for a queue_log). The same rule as resolve_calls.sql.
-- Reads lb_current (a temp view: the current versions of calls). Grain: one row per call.
-- Parameters: none.
SELECT c.* REPLACE (coalesce(w.customer_id, c.customer_id) AS customer_id)
FROM lb_current c
LEFT JOIN (
    SELECT phone, CASE WHEN count(DISTINCT customer_id) = 1 THEN min(customer_id) END AS customer_id
    FROM phone_directory
    GROUP BY phone
) w ON w.phone = c.customer_phone
