-- The customer of each call read from a log that names the caller's number (customer_phone):
-- the one customer whose current orders carry that number; null when none does (an unknown
-- caller) or several do (ambiguous). Grain: one row per call whose customer_id changes.
-- Parameters: $whole (every such row; else only those in lb_resolve_calls).
CREATE OR REPLACE TEMP TABLE lb_resolved_calls AS
WITH scope AS (
    SELECT c.call_id, c.customer_id, c.customer_phone,
           least(c.arrived_at, c.answered_at, c.ended_at, c.updated_at) AS first_at
    FROM calls c
    WHERE c.customer_phone IS NOT NULL AND ($whole OR c.call_id IN (SELECT call_id FROM lb_resolve_calls))
),
owners AS (
    SELECT phone, CASE WHEN count(DISTINCT customer_id) = 1 THEN min(customer_id) END AS customer_id
    FROM phone_directory
    WHERE $whole OR phone IN (SELECT customer_phone FROM scope)
    GROUP BY phone
)
SELECT s.call_id, o.customer_id, s.first_at
FROM scope s LEFT JOIN owners o ON o.phone = s.customer_phone
WHERE s.customer_id IS DISTINCT FROM o.customer_id;
