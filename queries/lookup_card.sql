-- One order as it stood at $as_of: its facts, milestones reached by then, stage (lb_stage),
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
    lb_stage(f.sf, $as_of) AS stage,
    lb_latest_event(f.sf.events, $as_of).at AS last_scan_at,
    lb_latest_event(f.sf.events, $as_of).ev AS last_scan,
    lb_latest_event(f.sf.events, $as_of).hub AS last_scan_hub
FROM order_facts f
JOIN orders o USING (order_id)
WHERE f.order_id = $order_id AND o.order_id = $order_id AND f.ordered_at <= $as_of
