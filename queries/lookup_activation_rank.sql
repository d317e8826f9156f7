-- A delivered, not activated order's place in the activation line at $as_of: orders, not
-- cancelled, delivered no later than it ($delivered_at, then order_id) and not activated at
-- $as_of, itself included. (Tie-break counted apart: see lookup_queue_rank.)
-- Grain: one row. Parameters: $order_id, $delivered_at, $as_of.
WITH line AS (
    SELECT order_id, sf.first_delivered_at AS delivered_at
    FROM order_facts
    WHERE sf.first_delivered_at <= $delivered_at AND ordered_at <= $as_of
      AND (sf.first_success_at IS NULL OR sf.first_success_at > $as_of)
      AND (cancelled_at IS NULL OR cancelled_at > $as_of)
)
SELECT (SELECT count(*) FROM line WHERE delivered_at < $delivered_at)
     + (SELECT count(*) FROM line WHERE delivered_at = $delivered_at AND order_id <= $order_id) AS position
