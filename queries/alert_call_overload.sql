-- Alert call_center_overload: calls ended in ($as_of - window, $as_of].
-- Grain: one row. Parameters: $as_of, $window_minutes, filters.
SELECT
    count(*) AS offered,
    count(*) FILTER (WHERE outcome IN ('abandoned', 'rejected')) AS lost,
    min(ended_at) FILTER (WHERE outcome IN ('abandoned', 'rejected')) AS first_lost
FROM lb_calls_at($as_of, $channels, $regions, $skus, $couriers)
WHERE ended_at > $as_of - to_minutes($window_minutes)
