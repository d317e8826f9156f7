-- The phone number of one order, unmasked, only when its last four digits are $last4 (the agent
-- typed the digits the caller said). The only query that returns a phone number unmasked.
-- Grain: one row (none when the order has no phone or the digits differ).
-- Parameters: $order_id, $last4.
SELECT phone
FROM lb_order_row($order_id)
WHERE right(regexp_replace(phone, '[^0-9]', '', 'g'), 4) = $last4
