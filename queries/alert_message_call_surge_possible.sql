-- The moments of $moments at which alert_message_call_surge.sql can return a batch: a batch's
-- call window is open at T only when its last reach is at or after T - $call_window_hours, and
-- the last reach is the time of a message of the batch that did not fail, sent by T within the
-- filters. At other moments the alert query is not run (it reads every batch: ~3 s of CPU at
-- 1M orders). Grain: one row per such moment. Parameters: $moments, $call_window_hours, filters.
WITH sends AS (
    SELECT DISTINCT sent_at
    FROM lb_message_rows_at('infinity'::TIMESTAMPTZ, $channels, $regions, $skus, $couriers)
    WHERE (batch_id IS NOT NULL OR corrects_batch_id IS NOT NULL) AND status <> 'failed'
),
moments AS (SELECT unnest($moments::TIMESTAMPTZ[]) AS moment)
SELECT DISTINCT m.moment
FROM moments m
JOIN sends s ON s.sent_at <= m.moment AND s.sent_at + to_seconds($call_window_hours * 3600) >= m.moment
ORDER BY m.moment
