-- Dwell time per stage transition: hours from one milestone to the next for orders that
-- completed the transition by $as_of (both milestones <= T, the later one not before the
-- earlier). Milestones (order_facts): ordered_at, allocated_at, first packed scan, first
-- transit scan (picked_up / at_hub / out_for_delivery / failed_attempt, i.e. picked up),
-- first delivered scan, first successful activation.
-- Grain: one row per transition with at least one order, slowest (median) first.
-- Parameters: $as_of, $channels, $regions, $skus, $couriers.
WITH o AS (
    SELECT ordered_at, sf FROM lb_order_facts_at($as_of, $channels, $regions, $skus, $couriers)
),
steps AS (
    SELECT 1 AS pos, 'ordered → allocated' AS transition, ordered_at AS t0, sf.allocated_at AS t1 FROM o
    UNION ALL SELECT 2, 'allocated → packed', sf.allocated_at, sf.first_packed_at FROM o
    UNION ALL SELECT 3, 'packed → picked_up', sf.first_packed_at, sf.first_transit_at FROM o
    UNION ALL SELECT 4, 'picked_up → delivered', sf.first_transit_at, sf.first_delivered_at FROM o
    UNION ALL SELECT 5, 'delivered → activated', sf.first_delivered_at, sf.first_success_at FROM o
),
done AS (
    SELECT pos, transition, (epoch(t1) - epoch(t0)) / 3600.0 AS hours
    FROM steps
    WHERE t0 IS NOT NULL AND t1 IS NOT NULL AND t1 <= $as_of AND t1 >= t0
)
SELECT transition, pos, count(*) AS orders,
       quantile_cont(hours, 0.5) AS median_hours,
       quantile_cont(hours, 0.9) AS p90_hours
FROM done
GROUP BY transition, pos
ORDER BY median_hours DESC, pos
