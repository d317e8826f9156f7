-- The row of alert_call_overload.sql at each of $moments: calls ended in (moment - window,
-- moment], counted per bucket of ended_at among the bounds (lb_bucketed); each moment sums the
-- buckets of its window (lb_moment_windows: the moment minus the window is a bound).
-- Grain: one row per moment, in moment order. Parameters: $moments, $bounds_us, $window_minutes, filters.
WITH moments AS (SELECT * FROM lb_moment_windows($moments::TIMESTAMPTZ[], to_minutes($window_minutes), $bounds_us)),
ended AS (
    SELECT epoch_us(ended_at) AS from_us, NULL::BIGINT AS to_us, ended_at, outcome
    FROM lb_calls_at('infinity'::TIMESTAMPTZ, $channels, $regions, $skus, $couriers)
),
buckets AS (
    SELECT b_from AS b,
           count(*) AS offered,
           count(*) FILTER (WHERE outcome IN ('abandoned', 'rejected')) AS lost,
           min(ended_at) FILTER (WHERE outcome IN ('abandoned', 'rejected')) AS first_lost
    FROM lb_bucketed('ended', $bounds_us)
    GROUP BY 1
)
SELECT m.moment,
       CAST(coalesce(sum(b.offered), 0) AS BIGINT) AS offered,
       CAST(coalesce(sum(b.lost), 0) AS BIGINT) AS lost,
       min(b.first_lost) AS first_lost
FROM moments m LEFT JOIN buckets b ON b.b > m.j_start AND b.b <= m.j
GROUP BY m.moment
ORDER BY m.moment
