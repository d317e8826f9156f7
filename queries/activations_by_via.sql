-- Activation attempts as of $as_of split by requested_via (auto, ars, agent, store, online),
-- with the same counting rules as activations_summary. Grain: one row per requested_via.
-- Parameters: $as_of, filters.
SELECT
    requested_via,
    count(*) AS attempts,
    count(*) FILTER (WHERE result = 'success' AND finished_at <= $as_of) AS succeeded,
    count(*) FILTER (WHERE result = 'failed' AND finished_at <= $as_of) AS failed,
    count(*) FILTER (WHERE NOT coalesce(finished_at <= $as_of, false)) AS pending,
    count(*) FILTER (WHERE result = 'failed' AND finished_at <= $as_of)
        / nullif(count(*) FILTER (WHERE result IN ('success', 'failed') AND finished_at <= $as_of), 0) AS failure_rate
FROM lb_attempts($channels, $regions, $skus, $couriers)
WHERE requested_at <= $as_of
GROUP BY requested_via
ORDER BY attempts DESC, requested_via
