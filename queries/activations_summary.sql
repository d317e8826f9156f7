-- Activation attempts as of $as_of (spec 3b). Grain: one row.
-- Parameters: $as_of, $channels, $regions, $skus, $couriers.
SELECT
    count(*) FILTER (WHERE requested_at <= $as_of) AS attempts,
    count(*) FILTER (WHERE result = 'success' AND finished_at <= $as_of) AS succeeded,
    count(*) FILTER (WHERE result = 'failed' AND finished_at <= $as_of) AS failed,
    count(*) FILTER (WHERE requested_at <= $as_of AND NOT coalesce(finished_at <= $as_of, false)) AS pending
FROM lb_attempts($channels, $regions, $skus, $couriers)
