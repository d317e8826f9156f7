-- Calls traced to messages as of $as_of: per message batch and correction sent by then, what it
-- sent (messages, template, the batch it corrects), the customers it reached, the calls they
-- made within $call_window_hours after their message (a call in several batches' windows counts
-- for the most recent message before it), the baseline and the excess (lb_batch_counts,
-- queries/table_macros.sql), every call offered at $as_of that arrived in the batch's window
-- (first reach, least(last reach + w, $as_of)] and the callers' reasons.
-- Grain: one row per batch, most excess first (no baseline last), then most calls, then by id.
-- Parameters: $as_of, $call_window_hours, filters.
WITH sends AS (
    -- per batch, template and corrected batch first: the distinct lists come from a few rows
    SELECT batch, CAST(sum(n) AS BIGINT) AS messages,
           string_agg(DISTINCT template, ', ' ORDER BY template) AS template,
           string_agg(DISTINCT corrects_batch_id, ', ' ORDER BY corrects_batch_id) AS corrects
    FROM (
        SELECT coalesce(batch_id, 'corrects ' || corrects_batch_id) AS batch, template, corrects_batch_id,
               count(*) AS n
        FROM lb_message_rows_at($as_of, $channels, $regions, $skus, $couriers)
        WHERE batch_id IS NOT NULL OR corrects_batch_id IS NOT NULL
        GROUP BY ALL
    )
    GROUP BY 1
),
counts AS (SELECT * FROM lb_batch_counts($as_of, $call_window_hours, false, $channels, $regions, $skus, $couriers)),
reasons AS (
    SELECT batch, list({'reason': reason, 'calls': calls} ORDER BY calls DESC, reason) AS reasons
    FROM (SELECT batch, coalesce(reason, '(none)') AS reason, count(*) AS calls
          FROM lb_batch_calls($as_of, $call_window_hours, false, $channels, $regions, $skus, $couriers)
          GROUP BY ALL)
    GROUP BY 1
),
load AS (
    SELECT k.batch, count(c.call_id) AS window_calls
    FROM counts k
    JOIN lb_calls_at($as_of, $channels, $regions, $skus, $couriers) c
      ON c.arrived_at > k.first_reach
     AND c.arrived_at <= least(k.last_reach + to_seconds($call_window_hours * 3600), $as_of)
    GROUP BY 1
)
SELECT s.batch, s.template, s.corrects, s.messages,
       coalesce(k.customers_reached, 0) AS customers_reached, k.first_reach,
       coalesce(k.calls, 0) AS calls, k.first_call, k.baseline_method,
       CASE WHEN k.batch IS NULL THEN 0.0 ELSE k.baseline END AS baseline,
       CASE WHEN k.batch IS NULL THEN 0.0 ELSE k.excess END AS excess, k.rate_ratio,
       coalesce(l.window_calls, 0) AS window_calls,
       coalesce(k.calls, 0) / nullif(coalesce(l.window_calls, 0), 0) AS load_share,
       coalesce(x.reasons, []) AS reasons
FROM sends s
LEFT JOIN counts k USING (batch)
LEFT JOIN load l USING (batch)
LEFT JOIN reasons x USING (batch)
ORDER BY excess DESC NULLS LAST, calls DESC, s.batch
