-- batch_reach: the customers each message batch reached (README "Calls traced to messages"),
-- decided when files arrive, from message_facts: one row per (batch, customer) with a message
-- of the batch the carrier did not report failed, at the customer's first such message
-- (sent_at), and the channels, regions, skus and couriers of the orders those messages name
-- (for the page filters). A batch is a batch_id, or for a correction without one
-- 'corrects <batch_id>'. The first message is the same at any T after it, so "reached by T" is
-- sent_at <= T. Run after queries/load/order_facts.sql (derive.py deletes the rows first).
-- Grain: one row per batch and customer. Parameters: $whole (every customer, else those in
-- the temp table lb_batch_customers).
INSERT INTO batch_reach
SELECT
    coalesce(batch_id, 'corrects ' || corrects_batch_id) AS batch,
    customer_id,
    min(sent_at) AS sent_at,
    -- list_distinct drops the nulls (a message naming no order) and gives [] for none; it costs
    -- less than list(DISTINCT ...) (3.4 -> 2.1 s CPU at 200k orders); the order within is free
    list_distinct(list(channel)) AS channels,
    list_distinct(list(region)) AS regions,
    list_distinct(list(sku)) AS skus,
    list_distinct(flatten(list(couriers))) AS couriers
FROM message_facts
WHERE (batch_id IS NOT NULL OR corrects_batch_id IS NOT NULL) AND status <> 'failed'
  AND ($whole OR customer_id IN (SELECT customer_id FROM lb_batch_customers))
GROUP BY 1, 2
