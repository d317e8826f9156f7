-- Activation backlog at $as_of and its projected clearance at the current pace.
--   backlog: orders existing at T, not cancelled and not activated at T (spec stage rules).
--   pace: successful attempts finished in (T - 1 h, T] within the filters, per hour.
--   projection (best case): the backlog is worked earliest promise first (orders without a
--   promise last, then by ordered_at), one order per success at that pace, so the k-th order
--   clears at T + k / pace hours. An order will miss its activation promise when the promise
--   is after T and it is projected to clear after it, or the pace is 0 (never clears).
--   already_missed: in the backlog with a promise <= T.
-- Grain: one row per promised_activation_by (null deadline: orders without a promise), plus
-- one total row (is_total, also present when the backlog is empty).
-- deadline and clears_at are launch-local; clears_at is null when the pace is 0.
-- Parameters: $as_of, filters.
WITH pace AS (
    SELECT count(*) AS per_hour
    FROM lb_attempts($channels, $regions, $skus, $couriers)
    WHERE result = 'success' AND finished_at > $as_of - INTERVAL 1 HOUR AND finished_at <= $as_of
),
queue AS (
    SELECT order_id, promised_activation_by AS deadline,
           row_number() OVER (ORDER BY promised_activation_by NULLS LAST, ordered_at, order_id) AS pos
    FROM lb_orders_at($as_of, $channels, $regions, $skus, $couriers)
    WHERE stage NOT IN ('activated', 'cancelled')
),
proj AS (
    SELECT q.deadline,
           CASE WHEN p.per_hour > 0
                THEN $as_of + to_microseconds(CAST(round(q.pos * 3600e6 / p.per_hour) AS BIGINT))
           END AS clears_at
    FROM queue q CROSS JOIN pace p
)
SELECT
    GROUPING(deadline) = 1 AS is_total,
    lb_local(deadline) AS deadline,
    count(*) AS backlog,
    count(*) FILTER (WHERE deadline <= $as_of) AS already_missed,
    count(*) FILTER (WHERE deadline > $as_of) AS promise_ahead,
    count(*) FILTER (WHERE deadline > $as_of AND (clears_at IS NULL OR clears_at > deadline)) AS will_miss,
    lb_local(max(clears_at)) AS clears_at,
    (SELECT per_hour FROM pace) AS per_hour
FROM proj
GROUP BY ROLLUP (deadline)
ORDER BY is_total, deadline NULLS LAST
