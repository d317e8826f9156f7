-- The rows of alert_stalled_hubs.sql at each of $moments (T; S = T - stall_minutes).
-- Timeline rows whose latest scan is at_hub (with a hub), clipped to when the order exists
-- [greatest(from_at, ordered_at), to_at): n_now and n_before count the rows holding T and S,
-- oldest_scan is the earliest such scan at S. An order held at a hub at S has not moved by T
-- exactly when its latest scan at T is still that scan (a later scan is later in time), i.e.
-- when its row holding T has a scan at or before S and the order existed at S: T in
-- [greatest(from_at, scan + stall, ordered_at + stall), to_at). moved = n_before - those.
-- Rows are counted per (hub, bucket of from, bucket of to) among the bounds (lb_bucketed: t <=
-- bound j exactly when bucket(t) <= j); a moment sums the groups whose range holds it.
-- Grain: one row per moment and hub with at least one order held at T or S, in moment and hub
-- order. Parameters: $moments, $bounds, $bounds_us, $stall_minutes, filters.
WITH given AS (
    SELECT m, epoch_us(m) AS from_us, epoch_us(m - to_minutes($stall_minutes)) AS to_us
    FROM unnest($moments::TIMESTAMPTZ[]) AS u(m)
),
moments AS (SELECT m AS moment, b_from AS j, b_to AS j_before FROM lb_bucketed('given', $bounds_us)),
held_rows AS NOT MATERIALIZED (
    SELECT last_scan.hub AS hub, last_scan.at AS scan_at, ordered_at, greatest(from_at, ordered_at) AS f, to_at AS t,
           epoch_us(greatest(from_at, ordered_at)) AS from_us, epoch_us(to_at) AS to_us  -- null: never ends
    FROM lb_timeline('infinity'::TIMESTAMPTZ, $channels, $regions, $skus, $couriers)
    WHERE last_scan.ev = 'at_hub' AND last_scan.hub IS NOT NULL AND to_at > greatest(from_at, ordered_at)
),
held AS (
    SELECT hub, b_from, coalesce(b_to, len($bounds_us)) AS b_to, count(*) AS n, min(scan_at) AS oldest_scan
    FROM lb_bucketed('held_rows', $bounds_us) GROUP BY ALL
),
stayed AS (
    SELECT hub, histogram(f, $bounds) AS h_from, histogram(t, $bounds) AS h_to
    FROM (SELECT hub, greatest(f, scan_at + to_minutes($stall_minutes), ordered_at + to_minutes($stall_minutes)) AS f, t
          FROM held_rows)
    WHERE f < t
    GROUP BY hub
),
n_now AS (
    SELECT m.moment, h.hub, sum(h.n) AS n FROM moments m JOIN held h ON h.b_from <= m.j AND m.j < h.b_to GROUP BY ALL
),
n_before AS (
    SELECT m.moment, h.hub, sum(h.n) AS n, min(h.oldest_scan) AS oldest_scan
    FROM moments m JOIN held h ON h.b_from <= m.j_before AND m.j_before < h.b_to GROUP BY ALL
),
per_hub AS (SELECT moment, hub, n_now.n AS n_now, n_before.n AS n_before, n_before.oldest_scan
         FROM n_now FULL JOIN n_before USING (moment, hub))
SELECT
    r.moment,
    r.hub,
    CAST(coalesce(r.n_now, 0) AS BIGINT) AS n_now,
    CAST(coalesce(r.n_before, 0) AS BIGINT) AS n_before,
    CAST(coalesce(r.n_before, 0) - coalesce(lb_at_or_below(s.h_from, r.moment) - lb_at_or_below(s.h_to, r.moment), 0)
         AS BIGINT) AS moved,
    r.oldest_scan
FROM per_hub r
LEFT JOIN stayed s ON s.hub = r.hub
ORDER BY r.moment, r.hub
