-- The load the call centre faced among calls offered at $as_of, per launch-local hour of
-- arrival over the last $span_hours (is_window = false; `minutes` = how much of the hour lies
-- before T) and over the last $erlang_minutes before T (is_window = true): calls arrived (all
-- outcomes: rejected calls were demand too), mean handle time of answered calls (ended_at -
-- answered_at), and agents answering (distinct agent_id of answered calls). The page turns
-- these into Erlang C staffing (launchboard.erlang).
-- Grain: one row per hour, plus one window row.
-- Parameters: $as_of, $span_hours, $erlang_minutes, filters.
WITH c AS (SELECT * FROM lb_calls_at($as_of, $channels, $regions, $skus, $couriers))
SELECT
    false AS is_window,
    lb_local(date_trunc('hour', arrived_at)) AS at,
    least(60.0, (epoch($as_of) - epoch(date_trunc('hour', arrived_at))) / 60.0) AS minutes,
    count(*) AS calls,
    avg(epoch(ended_at) - epoch(answered_at)) FILTER (WHERE outcome = 'answered') AS handle_seconds,
    count(DISTINCT agent_id) FILTER (WHERE outcome = 'answered') AS agents_answering
FROM c
WHERE arrived_at >= date_trunc('hour', $as_of - to_hours(CAST($span_hours AS BIGINT)))
GROUP BY date_trunc('hour', arrived_at)
UNION ALL
SELECT
    true,
    lb_local($as_of),
    CAST($erlang_minutes AS DOUBLE),
    count(*),
    avg(epoch(ended_at) - epoch(answered_at)) FILTER (WHERE outcome = 'answered'),
    count(DISTINCT agent_id) FILTER (WHERE outcome = 'answered')
FROM c
WHERE arrived_at > $as_of - to_minutes(CAST($erlang_minutes AS BIGINT))
ORDER BY 1, 2
