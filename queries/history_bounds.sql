-- The bounds of the alert history's set-based queries (queries/history_*.sql): each of
-- $moments and each moment minus the alert windows (the activation and call window, the stall
-- time, the messages' 24 h), sorted and distinct, as instants (bounds, for histogram) and as
-- microseconds since the epoch (bounds_us, for lb_bucketed). Computed with the same interval
-- arithmetic as the alert queries, so that every moment minus a window is exactly a bound.
-- Grain: one row. Parameters: $moments, $window_minutes, $stall_minutes.
WITH given AS (SELECT unnest($moments::TIMESTAMPTZ[]) AS m),
b AS (
    SELECT list_sort(list_distinct(list(m) || list(m - to_minutes($window_minutes))
                                   || list(m - to_minutes($stall_minutes)) || list(m - INTERVAL 24 HOUR))) AS bounds
    FROM given
)
SELECT bounds, list_transform(bounds, lambda x: epoch_us(x)) AS bounds_us FROM b
