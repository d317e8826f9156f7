-- The customer of each call read from a log that names the caller's number (customer_phone):
-- the one customer whose current orders carry that number; null when none does (an unknown
-- caller) or several do (ambiguous). Only the calls in lb_resolve_calls (call_id), and only
-- those whose customer changes. Grain: one row per call whose customer_id changes.
-- Parameters: none.
CREATE OR REPLACE TEMP TABLE lb_resolved_calls AS
WITH scope AS (
    SELECT c.call_id, c.customer_id, c.customer_phone,
           least(c.arrived_at, c.answered_at, c.ended_at, c.updated_at) AS first_at
    FROM calls c SEMI JOIN lb_resolve_calls r USING (call_id)
    WHERE c.customer_phone IS NOT NULL
),
owners AS (
    SELECT phone, CASE WHEN count(DISTINCT customer_id) = 1 THEN min(customer_id) END AS customer_id
    FROM phone_directory SEMI JOIN (SELECT DISTINCT customer_phone AS phone FROM scope) USING (phone)
    GROUP BY phone
)
SELECT s.call_id, o.customer_id, s.first_at
FROM scope s LEFT JOIN owners o ON o.phone = s.customer_phone
WHERE s.customer_id IS DISTINCT FROM o.customer_id;
