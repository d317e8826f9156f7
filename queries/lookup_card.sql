-- One order as it stood at $as_of: its facts, milestones reached by then, stage (stage_timeline),
-- latest courier scan, and masked phone. Grain: one row (none when the order does not exist
-- at $as_of). Parameters: $order_id, $as_of.
SELECT
    f.order_id, f.customer_id, f.channel, f.sku, f.model, f.region, f.priority,
    lb_mask_phone(o.phone) AS phone,
    f.ordered_at,
    CASE WHEN f.allocated_at <= $as_of THEN f.allocated_at END AS allocated_at,
    CASE WHEN f.cancelled_at <= $as_of THEN f.cancelled_at END AS cancelled_at,
    CASE WHEN f.sf.first_delivered_at <= $as_of THEN f.sf.first_delivered_at END AS delivered_at,
    CASE WHEN f.sf.first_success_at <= $as_of THEN f.sf.first_success_at END AS activated_at,
    f.promised_delivery_by, f.promised_activation_by,
    s.stage,
    s.last_scan.at AS last_scan_at,
    s.last_scan.ev AS last_scan,
    s.last_scan.hub AS last_scan_hub
FROM order_facts f
JOIN lb_order_row($order_id) o USING (order_id)
JOIN stage_timeline s USING (order_id)
WHERE f.order_id = $order_id AND s.order_id = $order_id
  AND f.ordered_at <= $as_of AND s.from_at <= $as_of AND $as_of < s.to_at
