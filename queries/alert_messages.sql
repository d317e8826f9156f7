-- Alerts quiet_hours_messages, contradicting_messages, retracted_batch: messages sent in
-- ($as_of - 24 h, $as_of]. Grain: one row. Parameters: $as_of, $quiet_start, $quiet_end, filters.
SELECT
    count(*) FILTER (WHERE quiet) AS quiet,
    min(sent_at) FILTER (WHERE quiet) AS quiet_since,
    count(*) FILTER (WHERE contradicting) AS contradicting,
    min(sent_at) FILTER (WHERE contradicting) AS contradicting_since,
    count(*) FILTER (WHERE corrects_batch_id IS NOT NULL) AS corrections,
    min(sent_at) FILTER (WHERE corrects_batch_id IS NOT NULL) AS corrections_since,
    string_agg(DISTINCT corrects_batch_id, ', ' ORDER BY corrects_batch_id) AS corrected_batches
FROM lb_messages_at($as_of, $quiet_start, $quiet_end, $channels, $regions, $skus, $couriers)
WHERE sent_at > $as_of - INTERVAL 24 HOUR
