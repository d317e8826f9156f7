-- Contradicting messages by $as_of (spec 3b contradicting_state): what the template claimed
-- against the order's stage at sent_at, with up to 3 example message and order ids.
-- Grain: one row per (template, claims, stage at send). Parameters: $as_of, $quiet_start,
-- $quiet_end, filters.
SELECT
    template,
    claims,
    order_stage AS stage_at_send,
    count(*) AS messages,
    array_to_string((list(message_id ORDER BY sent_at, message_id))[1:3], ', ') AS example_messages,
    array_to_string((list(DISTINCT order_id ORDER BY order_id))[1:3], ', ') AS example_orders
FROM lb_messages_at($as_of, $quiet_start, $quiet_end, $channels, $regions, $skus, $couriers)
WHERE contradicting
GROUP BY ALL
ORDER BY messages DESC, template, stage_at_send
