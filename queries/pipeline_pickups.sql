-- Pickups per courier per launch-local hour: `picked_up` scans with event_at <= $as_of.
-- The bucket widens to 2, 3, ... hours when the scans span more than 200 hours (chart size).
-- Filters: channel / region / sku through the scan's order (orphan scans only when none of
-- these is set); the courier filter applies to the scan's own courier.
-- Grain: one row per bucket and courier with at least one pickup; `at` = bucket start (local),
-- `at_end` its end, `bucket_hours` its width. Parameters: $as_of, $channels, $regions, $skus, $couriers.
WITH scans AS (
    SELECT lb_local(s.event_at) AS local_at, s.courier
    FROM lb_scans_at($as_of, $channels, $regions, $skus, $couriers) s
    WHERE s.event = 'picked_up'
),
step AS (
    SELECT greatest(1, ceil((epoch(max(local_at)) - epoch(min(local_at))) / 3600 / 200))::INTEGER AS hours
    FROM scans
)
SELECT time_bucket(to_hours(step.hours), local_at) AS at,
       time_bucket(to_hours(step.hours), local_at) + to_hours(step.hours) AS at_end,
       step.hours AS bucket_hours, courier, count(*) AS pickups
FROM scans, step
GROUP BY ALL
ORDER BY 1, 3
