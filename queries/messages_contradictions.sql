-- Contradicting messages by $as_of (spec 3b contradicting_state): what the template claimed
-- against the order's stage at sent_at, with up to 3 example message ids (the first sent, ties
-- by id) and order ids (the smallest).
-- Grain: one row per (template, claims, stage at send). Parameters: $as_of, $quiet_start,
-- $quiet_end, filters.
WITH c AS (
    SELECT template, claims, order_stage AS stage_at_send, message_id, order_id, sent_at
    FROM lb_messages_at($as_of, $quiet_start, $quiet_end, $channels, $regions, $skus, $couriers)
    WHERE contradicting
),
per_group AS (
    SELECT template, claims, stage_at_send, count(*) AS messages,
           array_to_string(list_transform(min(struct_pack(s := sent_at, m := message_id), 3), lambda x: x.m), ', ')
               AS example_messages
    FROM c GROUP BY ALL
),
orders AS (
    SELECT template, claims, stage_at_send, array_to_string(min(order_id, 3), ', ') AS example_orders
    FROM (SELECT DISTINCT template, claims, stage_at_send, order_id FROM c WHERE order_id IS NOT NULL)
    GROUP BY ALL
)
SELECT p.template, p.claims, p.stage_at_send, p.messages, p.example_messages, o.example_orders
FROM per_group p
LEFT JOIN orders o USING (template, claims, stage_at_send)
ORDER BY messages DESC, template, stage_at_send
