-- The rows of alert_stalled_stages.sql at each of $moments (T; S = T - stall_minutes).
-- An order is in a stage at t when a timeline row of that stage holds t and the order exists
-- (ordered_at <= t): stage_spans (queries/load/order_facts.sql) holds those rows, clipped to
-- [greatest(from_at, ordered_at), to_at), as one span [f, t) per order and stage when they are
-- contiguous, each row otherwise. n_now and n_before count the spans holding T and S. In the
-- stage at both S and T ("stayed"): a contiguous span holds both exactly when T is in
-- [f + stall, t); an order that left the stage and came back is in it at S and T exactly when
-- one of its pairs of rows (a, b) holds them, i.e. T in [greatest(a.f + stall, b.f),
-- least(a.t + stall, b.t)), and at most one pair holds a given T. moved = n_before - stayed, as
-- in alert_stalled_stages.sql. The spans holding t are counted from histograms over the
-- bounds: (starts at or before t) - (ends at or before t), t being a bound.
-- Grain: one row per moment and watched stage, in moment and stage order.
-- Parameters: $moments, $bounds, $stall_minutes, filters.
WITH moments AS (
    SELECT m AS moment, m - to_minutes($stall_minutes) AS m_before FROM (SELECT unnest($moments::TIMESTAMPTZ[]) AS m)
),
watched(stage) AS (VALUES ('allocated'), ('packed'), ('in_transit'), ('activation_pending')),
spans AS NOT MATERIALIZED (  -- read where used: each use needs other columns
    SELECT order_id, stage, f, t, contiguous FROM lb_stage_spans($channels, $regions, $skus, $couriers)
),
held AS (
    SELECT stage, histogram(f, $bounds) AS h_from, histogram(t, $bounds) AS h_to FROM spans GROUP BY stage
),
revisited AS (SELECT order_id, stage, f, t FROM spans WHERE NOT contiguous),
both_moments AS (  -- [from, to): the T at which the order is in the stage at S and at T
    SELECT stage, f + to_minutes($stall_minutes) AS f, t FROM spans WHERE contiguous
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
