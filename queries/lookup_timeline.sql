-- One order's timeline at $as_of: every happening with a timestamp <= $as_of across the five
-- extracts: the order's milestones (ordered, allocated, cancelled), its courier scans, its
-- activation attempts (request and result), the messages naming it (with the spec 3b
-- contradicting check of lb_messages_at, through lb_order_messages_at) plus the customer's
-- messages that name no order, and every call of the customer. A message is `retracted`
-- when its batch_id is named by a correction (corrects_batch_id) sent <= $as_of.
-- Grain: one row per happening, in time order (`step` orders an order's or attempt's own
-- happenings that share a timestamp). Parameters: $order_id, $as_of, $quiet_start, $quiet_end.
WITH me AS (
    SELECT order_id, customer_id, channel, ordered_at, allocated_at, cancelled_at
    FROM order_facts WHERE order_id = $order_id
),
corrections AS (
    SELECT corrects_batch_id AS batch_id, min(sent_at) AS retracted_at
    FROM messages
    WHERE corrects_batch_id IS NOT NULL AND sent_at <= $as_of
    GROUP BY 1
),
order_msgs AS (
    SELECT message_id, order_id, template, sent_at, status, batch_id, corrects_batch_id, error_code,
           quiet, claims, order_stage, contradicting
    FROM lb_order_messages_at($order_id, $as_of, $quiet_start, $quiet_end)
),
customer_msgs AS (  -- to the customer, naming no order: not checked against an order's state
    SELECT message_id, order_id, template, sent_at, status, batch_id, corrects_batch_id, error_code,
           lb_in_quiet(sent_at, $quiet_start, $quiet_end) AS quiet, NULL::VARCHAR AS claims,
           NULL::VARCHAR AS order_stage, false AS contradicting
    FROM messages
    WHERE order_id IS NULL AND customer_id = (SELECT customer_id FROM me) AND sent_at <= $as_of
),
items AS (
    SELECT ordered_at AS at, 1 AS src, 'order' AS source, 'ordered' AS event, order_id AS ref, channel AS via
    FROM me WHERE ordered_at <= $as_of
    UNION ALL BY NAME
    SELECT allocated_at AS at, 1 AS src, 'order' AS source, 'allocated' AS event, order_id AS ref, 1 AS step
    FROM me WHERE allocated_at <= $as_of
    UNION ALL BY NAME
    SELECT cancelled_at AS at, 1 AS src, 'order' AS source, 'cancelled' AS event, order_id AS ref, 2 AS step
    FROM me WHERE cancelled_at <= $as_of
    UNION ALL BY NAME
    SELECT event_at AS at, 2 AS src, 'courier' AS source, event, event_id AS ref, courier, hub
    FROM lb_order_scans($order_id) WHERE event_at <= $as_of
    UNION ALL BY NAME
    SELECT requested_at AS at, 3 AS src, 'activation' AS source, 'requested' AS event, attempt_id AS ref,
           requested_via AS via, (finished_at IS NULL OR finished_at > $as_of) AS pending
    FROM lb_order_attempts($order_id) WHERE requested_at <= $as_of
    UNION ALL BY NAME
    SELECT finished_at AS at, 3 AS src, 'activation' AS source, result AS event, attempt_id AS ref,
           requested_via AS via, error_code AS code, 1 AS step
    FROM lb_order_attempts($order_id)
    WHERE finished_at <= $as_of AND result IN ('success', 'failed')
    UNION ALL BY NAME
    SELECT m.sent_at AS at, 4 AS src, 'message' AS source, m.template AS event, m.message_id AS ref,
           m.status, m.error_code AS code, m.batch_id, m.corrects_batch_id, m.quiet, m.claims,
           m.order_stage, m.contradicting, m.order_id IS NULL AS to_customer,
           c.retracted_at IS NOT NULL AS retracted, c.retracted_at
    FROM (SELECT * FROM order_msgs UNION ALL SELECT * FROM customer_msgs) m
    LEFT JOIN corrections c USING (batch_id)
    UNION ALL BY NAME
    SELECT arrived_at AS at, 5 AS src, 'call' AS source,
           CASE WHEN ended_at <= $as_of THEN outcome ELSE 'in_progress' END AS event, call_id AS ref,
           queue, reason, agent_id,
           CASE WHEN ended_at <= $as_of THEN resolution END AS resolution,
           CASE WHEN answered_at <= $as_of THEN epoch(answered_at) - epoch(arrived_at) END AS wait_seconds
    FROM calls WHERE customer_id = (SELECT customer_id FROM me) AND arrived_at <= $as_of
)
SELECT * FROM items ORDER BY "at", src, coalesce(step, 0), ref
