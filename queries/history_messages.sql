-- The row of alert_messages.sql at each of $moments: messages sent in (moment - 24 h, moment].
-- Only messages that can raise one of its alerts are read (quiet, contradicting, or a
-- correction), counted per sent_at first (batches share their second), then per bucket of
-- sent_at among the bounds (lb_bucketed); corrections also per corrected batch. Each moment sums
-- the buckets of its window (lb_moment_windows: the moment minus 24 h is a bound).
-- Grain: one row per moment, in moment order. Parameters: $moments, $bounds_us, $quiet_start,
-- $quiet_end, filters.
WITH moments AS (SELECT * FROM lb_moment_windows($moments::TIMESTAMPTZ[], INTERVAL 24 HOUR, $bounds_us)),
per_second AS MATERIALIZED (
    SELECT sent_at, corrects_batch_id,
           count(*) FILTER (WHERE quiet) AS quiet,
           count(*) FILTER (WHERE contradicting) AS contradicting,
           count(*) FILTER (WHERE corrects_batch_id IS NOT NULL) AS corrections
    FROM lb_messages_at('infinity'::TIMESTAMPTZ, $quiet_start, $quiet_end, $channels, $regions, $skus, $couriers)
    WHERE quiet OR contradicting OR corrects_batch_id IS NOT NULL
    GROUP BY ALL
),
seconds AS (SELECT *, epoch_us(sent_at) AS from_us, NULL::BIGINT AS to_us FROM per_second),
bucketed AS MATERIALIZED (SELECT b_from AS b, * EXCLUDE (from_us, to_us, b_from, b_to) FROM lb_bucketed('seconds', $bounds_us)),
buckets AS (
    SELECT b,
           sum(quiet) AS quiet, min(sent_at) FILTER (WHERE quiet > 0) AS quiet_since,
           sum(contradicting) AS contradicting, min(sent_at) FILTER (WHERE contradicting > 0) AS contradicting_since,
           sum(corrections) AS corrections, min(sent_at) FILTER (WHERE corrections > 0) AS corrections_since
    FROM bucketed GROUP BY b
),
batches AS (SELECT DISTINCT b, corrects_batch_id FROM bucketed WHERE corrects_batch_id IS NOT NULL),
counts AS (
    SELECT m.moment,
           CAST(coalesce(sum(x.quiet), 0) AS BIGINT) AS quiet, min(x.quiet_since) AS quiet_since,
           CAST(coalesce(sum(x.contradicting), 0) AS BIGINT) AS contradicting,
           min(x.contradicting_since) AS contradicting_since,
           CAST(coalesce(sum(x.corrections), 0) AS BIGINT) AS corrections,
           min(x.corrections_since) AS corrections_since
    FROM moments m LEFT JOIN buckets x ON x.b > m.j_start AND x.b <= m.j
    GROUP BY m.moment
),
named AS (
    SELECT m.moment, string_agg(DISTINCT x.corrects_batch_id, ', ' ORDER BY x.corrects_batch_id) AS corrected_batches
    FROM moments m JOIN batches x ON x.b > m.j_start AND x.b <= m.j
    GROUP BY m.moment
)
SELECT c.moment, c.quiet, c.quiet_since, c.contradicting, c.contradicting_since,
       c.corrections, c.corrections_since, n.corrected_batches
FROM counts c LEFT JOIN named n USING (moment)
ORDER BY c.moment
