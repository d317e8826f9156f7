-- The rows of alert_stalled_stages.sql at each of $moments (T; S = T - stall_minutes).
-- An order is in a stage at t when a timeline row of that stage holds t and the order exists
-- (ordered_at <= t), so rows are clipped to [greatest(from_at, ordered_at), to_at). n_now and
-- n_before count the rows holding T and S. In the stage at both S and T ("stayed"): when the
-- order's rows of that stage are contiguous, their span [lo, hi) holds both exactly when T is
-- in [lo + stall, hi); otherwise (it left the stage and came back) each pair of its rows (a, b)
-- holds S and T exactly when T is in [greatest(a.from + stall, b.from), least(a.to + stall,
-- b.to)), and at most one pair holds a given T. moved = n_before - stayed, as in
-- alert_stalled_stages.sql. The rows holding t are counted from histograms over the bounds:
-- (starts at or before t) - (ends at or before t), t being a bound.
-- Grain: one row per moment and watched stage, in moment and stage order.
-- Parameters: $moments, $bounds, $stall_minutes, filters.
WITH moments AS (
    SELECT m AS moment, m - to_minutes($stall_minutes) AS m_before FROM (SELECT unnest($moments::TIMESTAMPTZ[]) AS m)
),
watched(stage) AS (VALUES ('allocated'), ('packed'), ('in_transit'), ('activation_pending')),
clipped AS MATERIALIZED (
    SELECT order_id, stage, greatest(from_at, ordered_at) AS f, to_at AS t
    FROM lb_timeline('infinity'::TIMESTAMPTZ, $channels, $regions, $skus, $couriers)
    WHERE stage IN ('allocated', 'packed', 'in_transit', 'activation_pending')
      AND to_at > greatest(from_at, ordered_at)
),
held AS (
    SELECT stage, histogram(f, $bounds) AS h_from, histogram(t, $bounds) AS h_to FROM clipped GROUP BY stage
),
spans AS MATERIALIZED (  -- contiguous: the rows' lengths (microseconds) add up to the span
    SELECT order_id, stage, min(f) AS lo, max(t) AS hi,
           sum(CAST(lb_us(t) AS HUGEINT) - lb_us(f)) = CAST(lb_us(max(t)) AS HUGEINT) - lb_us(min(f)) AS contiguous
    FROM clipped GROUP BY ALL
),
revisited AS (
    SELECT c.* FROM clipped c SEMI JOIN (SELECT order_id, stage FROM spans WHERE NOT contiguous) s USING (order_id, stage)
),
both_moments AS (  -- [from, to): the T at which the order is in the stage at S and at T
    SELECT stage, lo + to_minutes($stall_minutes) AS f, hi AS t FROM spans WHERE contiguous
    UNION ALL
    SELECT a.stage, greatest(a.f + to_minutes($stall_minutes), b.f), least(a.t + to_minutes($stall_minutes), b.t)
    FROM revisited a JOIN revisited b USING (order_id, stage)
),
stayed AS (
    SELECT stage, histogram(f, $bounds) AS h_from, histogram(t, $bounds) AS h_to FROM both_moments WHERE f < t GROUP BY stage
)
SELECT
    m.moment,
    w.stage,
    CAST(coalesce(lb_at_or_below(h.h_from, m.moment) - lb_at_or_below(h.h_to, m.moment), 0) AS BIGINT) AS n_now,
    CAST(coalesce(lb_at_or_below(h.h_from, m.m_before) - lb_at_or_below(h.h_to, m.m_before), 0) AS BIGINT) AS n_before,
    CAST(coalesce(lb_at_or_below(h.h_from, m.m_before) - lb_at_or_below(h.h_to, m.m_before), 0)
         - coalesce(lb_at_or_below(s.h_from, m.moment) - lb_at_or_below(s.h_to, m.moment), 0) AS BIGINT) AS moved
FROM moments m
CROSS JOIN watched w
LEFT JOIN held h ON h.stage = w.stage
LEFT JOIN stayed s ON s.stage = w.stage
ORDER BY m.moment, w.stage
