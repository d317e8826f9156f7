-- Calls ended by $as_of (spec 3b). Grain: one row; rates are derived from these counts.
-- Parameters: $as_of, $service_level_seconds, filters.
WITH c AS (SELECT * FROM lb_calls_at($as_of, $channels, $regions, $skus, $couriers))
SELECT
    count(*) AS offered,
    count(*) FILTER (WHERE outcome = 'answered') AS answered,
    count(*) FILTER (WHERE outcome = 'abandoned') AS abandoned,
    count(*) FILTER (WHERE outcome = 'rejected') AS rejected,
    count(*) FILTER (WHERE outcome = 'answered' AND wait_seconds <= $service_level_seconds) AS within_service_level,
    avg(wait_seconds) FILTER (WHERE outcome = 'answered') AS asa_seconds,
    count(*) FILTER (WHERE outcome = 'answered' AND resolution = 'no_info') AS no_info,
    (SELECT count(*) FROM (SELECT customer_id FROM c WHERE customer_id IS NOT NULL
                           GROUP BY customer_id HAVING count(*) >= 2)) AS repeat_callers
FROM c
