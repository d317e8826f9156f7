-- call_batches: each call by a customer some batch reached (batch_reach), decided when files
-- arrive: traced_batch, the batch the call is traced to (it arrived after the customer's message
-- and within launch_settings.call_window_hours of it, (sent_at, sent_at + w]; in the windows of
-- several batches, the most recent message before the call; on the same instant, the batch that
-- sorts last) and that message's time; day_before_of, the reached customers' windows it falls
-- in 24 h earlier, (sent_at - 24 h, sent_at + w - 24 h] (the day-before baseline's calls).
-- Only messages sent before a call decide its batch, so this holds at any T after it; what
-- depends on T (ended by T, the window so far) is decided by the queries. Only calls with a
-- batch or a day-before role are kept. Run after batch_reach.sql (derive.py deletes first).
-- Grain: one row per such call. Parameters: $whole (every caller, else those in lb_batch_customers).
INSERT INTO call_batches
WITH c AS (
    SELECT call_id, customer_id, arrived_at, ended_at, reason
    FROM calls
    WHERE customer_id IS NOT NULL
      AND ($whole OR customer_id IN (SELECT customer_id FROM lb_batch_customers))
),
w AS (SELECT to_seconds(call_window_hours * 3600) AS w FROM launch_settings),
traced AS (
    SELECT c.call_id, r.batch, r.sent_at
    FROM c JOIN batch_reach r
      ON r.customer_id = c.customer_id
     AND c.arrived_at > r.sent_at AND c.arrived_at <= r.sent_at + (SELECT w FROM w)
    QUALIFY row_number() OVER (PARTITION BY c.call_id ORDER BY r.sent_at DESC, r.batch DESC) = 1
),
before AS (
    SELECT c.call_id, list({'batch': r.batch, 'sent_at': r.sent_at} ORDER BY r.sent_at, r.batch) AS day_before_of
    FROM c JOIN batch_reach r
      ON r.customer_id = c.customer_id
     AND c.arrived_at > r.sent_at - INTERVAL 24 HOUR
     AND c.arrived_at <= r.sent_at + (SELECT w FROM w) - INTERVAL 24 HOUR
    GROUP BY 1
)
SELECT c.call_id, c.customer_id, c.arrived_at, c.ended_at, c.reason, t.batch, t.sent_at,
       coalesce(b.day_before_of, [])
FROM c
LEFT JOIN traced t USING (call_id)
LEFT JOIN before b USING (call_id)
WHERE t.call_id IS NOT NULL OR b.call_id IS NOT NULL
