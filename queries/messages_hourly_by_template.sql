-- Messages sent per launch-local hour and template over the last $span_hours up to $as_of,
-- with how many of them were sent in the quiet window. Grain: one row per hour and template
-- with sends; `at` is launch-local. Parameters: $as_of, $span_hours, $quiet_start, $quiet_end, filters.
SELECT
    date_trunc('hour', sent_local) AS at,
    template,
    count(*) AS sent,
    count(*) FILTER (WHERE quiet) AS quiet
FROM lb_messages_at($as_of, $quiet_start, $quiet_end, $channels, $regions, $skus, $couriers)
WHERE sent_at > $as_of - to_hours(CAST($span_hours AS BIGINT))
GROUP BY ALL
ORDER BY 1, template
