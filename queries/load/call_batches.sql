-- call_batches: each call with a customer_id, decided when files arrive: caller, the caller's
-- first order (since; null without one) and filter fields (customer_facts), for the launch rate
-- without a join; traced, the batch_reach row the call is traced to (it arrived after the customer's
-- message and within launch_settings.call_window_hours of it, (sent_at, sent_at + w]; in the
-- windows of several batches, the most recent message before the call; on the same instant, the
-- batch that sorts last); day_before_of, the reach rows whose window it falls in 24 h earlier,
-- (sent_at - 24 h, sent_at + w - 24 h] (the day-before baseline's calls). Each carries the reach
-- row's filter fields, so the queries need no join.
-- Only messages sent before a call decide its batch, so this holds at any T after it; what
-- depends on T (ended by T, the window so far) is decided by the queries. Run after
-- batch_reach.sql (derive.py deletes first).
-- Grain: one row per call with a customer_id. Parameters: $whole (every caller, else those in lb_batch_customers).
INSERT INTO call_batches
WITH c AS (
    SELECT call_id, customer_id, arrived_at, ended_at, reason
    FROM calls
    WHERE customer_id IS NOT NULL
      AND ($whole OR customer_id IN (SELECT customer_id FROM lb_batch_customers))
),
w AS (SELECT to_seconds(call_window_hours * 3600) AS w FROM launch_settings),
traced AS (
    SELECT c.call_id, {'batch': r.batch, 'sent_at': r.sent_at, 'channels': r.channels, 'regions': r.regions,
                       'skus': r.skus, 'couriers': r.couriers} AS traced
    FROM c JOIN batch_reach r
      ON r.customer_id = c.customer_id
     AND c.arrived_at > r.sent_at AND c.arrived_at <= r.sent_at + (SELECT w FROM w)
    QUALIFY row_number() OVER (PARTITION BY c.call_id ORDER BY r.sent_at DESC, r.batch DESC) = 1
),
before AS (
    SELECT c.call_id, list({'batch': r.batch, 'sent_at': r.sent_at, 'channels': r.channels, 'regions': r.regions,
                            'skus': r.skus, 'couriers': r.couriers} ORDER BY r.sent_at, r.batch) AS day_before_of
    FROM c JOIN batch_reach r
      ON r.customer_id = c.customer_id
     AND c.arrived_at > r.sent_at - INTERVAL 24 HOUR
     AND c.arrived_at <= r.sent_at + (SELECT w FROM w) - INTERVAL 24 HOUR
    GROUP BY 1
)
SELECT c.call_id, c.customer_id, c.arrived_at, c.ended_at, c.reason,
       {'since': cf.first_ordered_at, 'channels': cf.channels, 'regions': cf.regions, 'skus': cf.skus,
        'couriers': cf.couriers} AS caller,
       t.traced,
       coalesce(b.day_before_of, [])
FROM c
LEFT JOIN customer_facts cf USING (customer_id)
LEFT JOIN traced t USING (call_id)
LEFT JOIN before b USING (call_id)
