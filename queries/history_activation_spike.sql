-- The row of alert_activation_spike.sql at each of $moments: attempts finished in
-- (moment - window, moment]. Finished attempts are counted per bucket of finished_at among the
-- bounds (lb_bucketed), and each moment sums the buckets of its window (lb_moment_windows: the
-- moment minus the window is a bound). Grain: one row per moment, in moment order.
-- Parameters: $moments, $bounds_us, $window_minutes, filters.
WITH moments AS (SELECT * FROM lb_moment_windows($moments::TIMESTAMPTZ[], to_minutes($window_minutes), $bounds_us)),
finished AS (
    SELECT epoch_us(finished_at) AS from_us, NULL::BIGINT AS to_us, finished_at, result
    FROM lb_attempts($channels, $regions, $skus, $couriers)
    WHERE result IN ('success', 'failed') AND finished_at IS NOT NULL
),
buckets AS (
    SELECT b_from AS b,
           count(*) AS finished,
           count(*) FILTER (WHERE result = 'failed') AS failed,
           min(finished_at) FILTER (WHERE result = 'failed') AS first_failure
    FROM lb_bucketed('finished', $bounds_us)
    GROUP BY 1
)
SELECT m.moment,
       CAST(coalesce(sum(b.finished), 0) AS BIGINT) AS finished,
       CAST(coalesce(sum(b.failed), 0) AS BIGINT) AS failed,
       min(b.first_failure) AS first_failure
FROM moments m LEFT JOIN buckets b ON b.b > m.j_start AND b.b <= m.j
GROUP BY m.moment
ORDER BY m.moment
