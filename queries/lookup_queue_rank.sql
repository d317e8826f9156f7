-- An order's place in its sku's allocation queue at $as_of: how many orders of $sku that exist,
-- are not cancelled and are not allocated at $as_of were ordered before it (ordered_at, then
-- order_id), itself included. Conjunctions of plain columns only, so DuckDB filters in the
-- scan (an OR with the order_id tie-break would compare every row's order_id).
-- Grain: one row. Parameters: $order_id, $sku, $ordered_at, $as_of.
WITH waiting AS (
    SELECT order_id, ordered_at
    FROM order_facts
    WHERE sku = $sku AND ordered_at <= $ordered_at
      AND (allocated_at IS NULL OR allocated_at > $as_of)
      AND (cancelled_at IS NULL OR cancelled_at > $as_of)
)
SELECT (SELECT count(*) FROM waiting WHERE ordered_at < $ordered_at)
     + (SELECT count(*) FROM waiting WHERE ordered_at = $ordered_at AND order_id <= $order_id) AS position
