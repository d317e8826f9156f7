-- Repeat callers at $as_of: known callers (customer_id not null) by how many calls they
-- made (offered), with how many of those calls were answered with no_info.
-- Grain: one row per calls-per-customer count. Parameters: $as_of, filters.
WITH per_customer AS (
    SELECT customer_id, count(*) AS calls,
           count(*) FILTER (WHERE outcome = 'answered' AND resolution = 'no_info') AS no_info
    FROM lb_calls_at($as_of, $channels, $regions, $skus, $couriers)
    WHERE customer_id IS NOT NULL
    GROUP BY customer_id
)
SELECT calls AS calls_per_customer, count(*) AS customers, CAST(sum(no_info) AS BIGINT) AS no_info_calls
FROM per_customer
GROUP BY ALL
ORDER BY calls_per_customer
