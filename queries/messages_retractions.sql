-- Each retracted batch by $as_of with what it said and what corrected it: the batch's
-- template(s) and the corrections' template(s) and message count. Recipients, send and
-- correction times are the report's (retracted_batches); this adds the context.
-- Grain: one row per retracted batch_id. Parameters: $as_of, $quiet_start, $quiet_end, filters.
WITH m AS (
    SELECT * FROM lb_messages_at($as_of, $quiet_start, $quiet_end, $channels, $regions, $skus, $couriers)
),
-- per batch and template first: the template lists come from a few rows
corrections AS (
    SELECT batch_id, CAST(sum(n) AS BIGINT) AS correction_messages,
           string_agg(template, ', ' ORDER BY template) AS correction_template
    FROM (SELECT corrects_batch_id AS batch_id, template, count(*) AS n
          FROM m WHERE corrects_batch_id IS NOT NULL GROUP BY ALL)
    GROUP BY 1
),
batches AS (
    SELECT batch_id, string_agg(template, ', ' ORDER BY template) AS batch_template
    FROM (SELECT DISTINCT batch_id, template FROM m WHERE batch_id IS NOT NULL)
    GROUP BY 1
)
SELECT c.batch_id, b.batch_template, c.correction_template, c.correction_messages
FROM corrections c
LEFT JOIN batches b USING (batch_id)
ORDER BY c.batch_id
