-- An allocated, undelivered order's place in its region's delivery line at $as_of: orders of
-- $region, not cancelled, allocated no later than it ($allocated_at, then order_id) and not
-- delivered at $as_of, itself included. (Tie-break counted apart: see lookup_queue_rank.)
-- Grain: one row. Parameters: $order_id, $region, $allocated_at, $as_of.
WITH line AS (
    SELECT order_id, allocated_at
    FROM order_facts
    WHERE region = $region AND allocated_at <= $allocated_at AND ordered_at <= $as_of
      AND (cancelled_at IS NULL OR cancelled_at > $as_of)
      AND (sf.first_delivered_at IS NULL OR sf.first_delivered_at > $as_of)
)
SELECT (SELECT count(*) FROM line WHERE allocated_at < $allocated_at)
     + (SELECT count(*) FROM line WHERE allocated_at = $allocated_at AND order_id <= $order_id) AS position
