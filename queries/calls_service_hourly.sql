-- Service per launch-local hour of arrival over the last $span_hours, among the calls offered
-- at $as_of: offered, answered within $service_level_seconds, service_level (= within /
-- offered, as in calls_summary), asa_seconds (mean wait of answered calls), answered and
-- no_info. Grain: one row per hour with calls. Parameters: $as_of, $span_hours,
-- $service_level_seconds, filters.
SELECT
    date_trunc('hour', lb_local(arrived_at)) AS at,
    count(*) AS offered,
    count(*) FILTER (WHERE outcome = 'answered') AS answered,
    count(*) FILTER (WHERE outcome = 'answered' AND wait_seconds <= $service_level_seconds) AS within_target,
    count(*) FILTER (WHERE outcome = 'answered' AND wait_seconds <= $service_level_seconds) / count(*) AS service_level,
    avg(wait_seconds) FILTER (WHERE outcome = 'answered') AS asa_seconds,
    count(*) FILTER (WHERE outcome = 'answered' AND resolution = 'no_info') AS no_info
FROM lb_calls_at($as_of, $channels, $regions, $skus, $couriers)
WHERE arrived_at > $as_of - to_hours(CAST($span_hours AS BIGINT))
GROUP BY ALL
ORDER BY 1
