-- batch_reach: the customers each message batch reached (README "Calls traced to messages"),
-- decided when files arrive, from message_facts: one row per (batch, customer) with a message
-- of the batch the carrier did not report failed, at the customer's first such message
-- (sent_at), and the channels, regions, skus and couriers of the orders those messages name
-- (for the page filters). A batch is a batch_id, or for a correction without one
-- 'corrects <batch_id>'. The first message is the same at any T after it, so "reached by T" is
-- sent_at <= T. Run after queries/load/order_facts.sql (derive.py deletes the rows first).
-- Nearly every (batch, customer) names one order (or none): its lists are that order's fields
-- (order_facts, as message_facts carries them); only those naming several aggregate lists, which
-- over every group cost most of this query (at 1M orders: 7.0 -> 3.8 s, same rows).
-- Grain: one row per batch and customer. Parameters: $whole (every customer, else those in
-- the temp table lb_batch_customers).
INSERT INTO batch_reach
WITH m AS (
    SELECT coalesce(batch_id, 'corrects ' || corrects_batch_id) AS batch, customer_id, order_id, sent_at
    FROM message_facts
    WHERE (batch_id IS NOT NULL OR corrects_batch_id IS NOT NULL) AND status <> 'failed'
      AND ($whole OR customer_id IN (SELECT customer_id FROM lb_batch_customers))
),
g AS (
    SELECT batch, customer_id, min(sent_at) AS sent_at, min(order_id) AS first_order, max(order_id) AS last_order
    FROM m
    GROUP BY 1, 2
),
several AS (  -- list_distinct drops the nulls and gives [] for none; the order within is free
    SELECT m.batch, m.customer_id,
           list_distinct(list(f.channel)) AS channels, list_distinct(list(f.region)) AS regions,
           list_distinct(list(f.sku)) AS skus, list_distinct(flatten(list(f.couriers))) AS couriers
    FROM m SEMI JOIN (SELECT batch, customer_id FROM g WHERE first_order <> last_order) USING (batch, customer_id)
    JOIN order_facts f ON f.order_id = m.order_id
    GROUP BY 1, 2
)
-- one order: its fields (none when no orders file carries it: []); several: their lists
SELECT g.batch, g.customer_id, g.sent_at,
       coalesce(x.channels, list_distinct([f.channel])) AS channels,
       coalesce(x.regions, list_distinct([f.region])) AS regions,
       coalesce(x.skus, list_distinct([f.sku])) AS skus,
       coalesce(x.couriers, list_distinct(f.couriers), []) AS couriers
FROM g
LEFT JOIN order_facts f ON f.order_id = g.first_order AND g.first_order = g.last_order
LEFT JOIN several x ON x.batch = g.batch AND x.customer_id = g.customer_id;
