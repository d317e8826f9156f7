-- Wait distribution of the calls offered at $as_of: answered calls by wait to answer
-- (answered_at - arrived_at), abandoned calls by time before hanging up (ended_at -
-- arrived_at), in $bin_seconds wide bins; the last bin ($bins - 1) holds every longer wait.
-- Grain: one row per (kind, bin) with calls. Parameters: $as_of, $bin_seconds, $bins, filters.
WITH w AS (
    SELECT CASE outcome WHEN 'answered' THEN 'answered (wait to answer)'
                        ELSE 'abandoned (wait before hanging up)' END AS kind,
           CASE outcome WHEN 'answered' THEN wait_seconds
                        ELSE epoch(ended_at) - epoch(arrived_at) END AS secs
    FROM lb_calls_at($as_of, $channels, $regions, $skus, $couriers)
    WHERE outcome IN ('answered', 'abandoned')
)
SELECT
    kind,
    least(CAST(floor(secs / $bin_seconds) AS BIGINT), $bins - 1) AS bin,
    least(CAST(floor(secs / $bin_seconds) AS BIGINT), $bins - 1) * $bin_seconds AS from_seconds,
    CASE WHEN floor(secs / $bin_seconds) >= $bins - 1 THEN NULL
         ELSE (floor(secs / $bin_seconds) + 1) * $bin_seconds END AS to_seconds,
    count(*) AS calls
FROM w
GROUP BY ALL
ORDER BY kind, bin
