-- Dwell time per stage transition: hours from one milestone to the next for orders that
-- completed the transition by $as_of (both milestones <= T, the later one not before the
-- earlier). Milestones (order_facts): ordered_at, allocated_at, first packed scan, first
-- transit scan (picked_up / at_hub / out_for_delivery / failed_attempt, i.e. picked up),
-- first delivered scan, first successful activation. One pass over the orders: each
-- transition's hours are a column (null when not completed), both quantiles from one sort.
-- Grain: one row per transition with at least one order, slowest (median) first.
-- Parameters: $as_of, $channels, $regions, $skus, $couriers.
WITH o AS (
    SELECT ordered_at, sf.allocated_at AS allocated, sf.first_packed_at AS packed, sf.first_transit_at AS picked_up,
           sf.first_delivered_at AS delivered, sf.first_success_at AS activated
    FROM lb_order_facts_at($as_of, $channels, $regions, $skus, $couriers)
),
hours AS (
    SELECT
        CASE WHEN allocated <= $as_of AND allocated >= ordered_at THEN (epoch(allocated) - epoch(ordered_at)) / 3600.0 END AS h1,
        CASE WHEN packed <= $as_of AND packed >= allocated THEN (epoch(packed) - epoch(allocated)) / 3600.0 END AS h2,
        CASE WHEN picked_up <= $as_of AND picked_up >= packed THEN (epoch(picked_up) - epoch(packed)) / 3600.0 END AS h3,
        CASE WHEN delivered <= $as_of AND delivered >= picked_up THEN (epoch(delivered) - epoch(picked_up)) / 3600.0 END AS h4,
        CASE WHEN activated <= $as_of AND activated >= delivered THEN (epoch(activated) - epoch(delivered)) / 3600.0 END AS h5
    FROM o
),
q AS (
    SELECT count(h1) AS n1, quantile_cont(h1, [0.5, 0.9]) AS q1, count(h2) AS n2, quantile_cont(h2, [0.5, 0.9]) AS q2,
           count(h3) AS n3, quantile_cont(h3, [0.5, 0.9]) AS q3, count(h4) AS n4, quantile_cont(h4, [0.5, 0.9]) AS q4,
           count(h5) AS n5, quantile_cont(h5, [0.5, 0.9]) AS q5
    FROM hours
),
steps AS (
    SELECT 'ordered → allocated' AS transition, 1 AS pos, n1 AS orders, q1 AS q FROM q
    UNION ALL SELECT 'allocated → packed', 2, n2, q2 FROM q
    UNION ALL SELECT 'packed → picked_up', 3, n3, q3 FROM q
    UNION ALL SELECT 'picked_up → delivered', 4, n4, q4 FROM q
    UNION ALL SELECT 'delivered → activated', 5, n5, q5 FROM q
)
SELECT transition, pos, orders, q[1] AS median_hours, q[2] AS p90_hours
FROM steps
WHERE orders > 0
ORDER BY median_hours DESC, pos
