-- The messages whose customer a drop may change (launchboard.resolve, incremental): the
-- messages the drop brought (lb_touched_messages), those whose number is one of the touched
-- orders' numbers (lb_resolve_phones) and those naming a touched order. Grain: one row per
-- message_id. Parameters: none.
CREATE OR REPLACE TEMP TABLE lb_resolve_messages AS
SELECT message_id FROM lb_touched_messages
UNION
SELECT message_id FROM messages WHERE customer_phone IN (SELECT phone FROM lb_resolve_phones)
UNION
SELECT message_id FROM messages
WHERE customer_phone IS NOT NULL AND order_id IN (SELECT order_id FROM lb_touched_orders);
