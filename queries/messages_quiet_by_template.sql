-- Messages sent in the quiet window by $as_of, per template and batch: how many, and when
-- the first and last went out (launch-local). Grain: one row per template and batch_id
-- (null batch: sends outside any batch). Parameters: $as_of, $quiet_start, $quiet_end, filters.
SELECT
    template,
    batch_id,
    count(*) AS quiet_sends,
    lb_local(min(sent_at)) AS first_sent,
    lb_local(max(sent_at)) AS last_sent
FROM lb_messages_at($as_of, $quiet_start, $quiet_end, $channels, $regions, $skus, $couriers)
WHERE quiet
GROUP BY ALL
ORDER BY quiet_sends DESC, template, batch_id
