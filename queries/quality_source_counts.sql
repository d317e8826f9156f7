-- Per source, its files' figures that are not rows (readers.base.Staged.counts: a queue_log's
-- lines, lines of other events, calls made from incomplete lines; a Twilio export's inbound
-- and cancelled messages …): summed over its files, except the calls still open and the
-- wrap-ups still waiting, which are the state after its last file (files are read by name).
-- Grain: one row per (source, figure). Parameters: none.
WITH last AS (SELECT source, max(file) AS last_file FROM source_counts GROUP BY source)
SELECT c.source, c.figure,
       CAST(CASE WHEN c.figure IN ('open_calls', 'wrapups_waiting') THEN sum(c.n) FILTER (WHERE c.file = l.last_file)
                 ELSE sum(c.n) END AS BIGINT) AS n
FROM source_counts c JOIN last l USING (source)
WHERE c.source IS NOT NULL
GROUP BY c.source, c.figure
ORDER BY c.source, c.figure
