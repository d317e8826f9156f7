-- Spec 3b retracted_batches as of $as_of: every batch named by a correction's
-- corrects_batch_id, with recipients (messages in the batch), first send, first correction.
-- Grain: one row per retracted batch. Parameters: $as_of, $quiet_start, $quiet_end, filters.
WITH m AS (
    SELECT * FROM lb_messages_at($as_of, $quiet_start, $quiet_end, $channels, $regions, $skus, $couriers)
),
corrections AS (
    SELECT corrects_batch_id AS batch_id, min(sent_at) AS corrected_at
    FROM m WHERE corrects_batch_id IS NOT NULL GROUP BY 1
),
batches AS (
    SELECT batch_id, count(*) AS recipients, min(sent_at) AS sent_at
    FROM m WHERE batch_id IS NOT NULL GROUP BY 1
)
SELECT
    c.batch_id,
    coalesce(b.recipients, 0) AS recipients,
    b.sent_at,
    c.corrected_at,
    (epoch(c.corrected_at) - epoch(b.sent_at)) / 3600.0 AS hours_to_correction
FROM corrections c
LEFT JOIN batches b USING (batch_id)
ORDER BY c.corrected_at, c.batch_id
