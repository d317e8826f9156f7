-- Each retracted batch by $as_of with what it said and what corrected it: the batch's
-- template(s) and the corrections' template(s) and message count. Recipients, send and
-- correction times are the report's (retracted_batches); this adds the context.
-- Grain: one row per retracted batch_id. Parameters: $as_of, $quiet_start, $quiet_end, filters.
WITH m AS (
    SELECT * FROM lb_messages_at($as_of, $quiet_start, $quiet_end, $channels, $regions, $skus, $couriers)
),
corrections AS (
    SELECT corrects_batch_id AS batch_id,
           count(*) AS correction_messages,
           string_agg(DISTINCT template, ', ' ORDER BY template) AS correction_template
    FROM m WHERE corrects_batch_id IS NOT NULL GROUP BY 1
),
batches AS (
    SELECT batch_id, string_agg(DISTINCT template, ', ' ORDER BY template) AS batch_template
    FROM m WHERE batch_id IS NOT NULL GROUP BY 1
)
SELECT c.batch_id, b.batch_template, c.correction_template, c.correction_messages
FROM corrections c
LEFT JOIN batches b USING (batch_id)
ORDER BY c.batch_id
