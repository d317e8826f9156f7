-- Table macros over the current tables; created after order_facts exists.

-- ---------------------------------------------------------------------------------------
-- Table macros: the rows each figure counts, defined once, as of t and within the filters.
-- f_* are the page filters (empty lists = everything, orphans and unknown callers included).
-- ---------------------------------------------------------------------------------------

-- Orders that exist at t (ordered_at <= t), within the filters.
CREATE OR REPLACE MACRO lb_order_facts_at(t, f_channels, f_regions, f_skus, f_couriers) AS TABLE
    SELECT f.*
    FROM order_facts f
    WHERE f.ordered_at <= t
      AND lb_in_scope([f.channel], [f.region], [f.sku], f.couriers, f_channels, f_regions, f_skus, f_couriers);

-- The timeline rows (all moments) of the same orders: stage_timeline carries ordered_at and
-- the filter fields, so no join is needed.
CREATE OR REPLACE MACRO lb_timeline(t, f_channels, f_regions, f_skus, f_couriers) AS TABLE
    SELECT s.*
    FROM stage_timeline s
    WHERE s.ordered_at <= t
      AND lb_in_scope([s.channel], [s.region], [s.sku], s.couriers, f_channels, f_regions, f_skus, f_couriers);

-- stage_spans within the filters. Without a filter (the alert history kept for the whole launch)
-- the table alone; with one, each span's order's filter fields from order_facts.
CREATE OR REPLACE MACRO lb_stage_spans(f_channels, f_regions, f_skus, f_couriers) AS TABLE
    SELECT s.*
    FROM stage_spans s
    WHERE len(f_channels) + len(f_regions) + len(f_skus) + len(f_couriers) = 0
    UNION ALL
    SELECT s.*
    FROM stage_spans s
    JOIN order_facts f USING (order_id)
    WHERE len(f_channels) + len(f_regions) + len(f_skus) + len(f_couriers) > 0
      AND lb_in_scope([f.channel], [f.region], [f.sku], f.couriers, f_channels, f_regions, f_skus, f_couriers);

-- Courier scans at or before t within the filters: channel, region and sku through the scan's
-- order (orphan scans only when none of these is set), the courier filter on the scan's own
-- courier. Without a channel, region or sku filter the scans alone (no join).
CREATE OR REPLACE MACRO lb_scans_at(t, f_channels, f_regions, f_skus, f_couriers) AS TABLE
    SELECT s.*
    FROM shipments s
    WHERE s.event_at <= t AND len(f_channels) + len(f_regions) + len(f_skus) = 0
      AND lb_in_scope(NULL, NULL, NULL, [s.courier], f_channels, f_regions, f_skus, f_couriers)
    UNION ALL
    SELECT s.*
    FROM shipments s
    JOIN order_facts f USING (order_id)
    WHERE s.event_at <= t AND len(f_channels) + len(f_regions) + len(f_skus) > 0
      AND lb_in_scope([f.channel], [f.region], [f.sku], [s.courier], f_channels, f_regions, f_skus, f_couriers);

-- Those orders with their stage at t and their latest scan at t (last_scan: struct ev, hub,
-- at; last_hub: the hub of the latest scan that names one).
CREATE OR REPLACE MACRO lb_stages_at(t, f_channels, f_regions, f_skus, f_couriers) AS TABLE
    SELECT s.order_id, s.stage, s.last_scan, s.last_hub
    FROM lb_timeline(t, f_channels, f_regions, f_skus, f_couriers) s
    WHERE s.from_at <= t AND t < s.to_at;

-- Those orders with all their facts (order_facts) besides.
CREATE OR REPLACE MACRO lb_orders_at(t, f_channels, f_regions, f_skus, f_couriers) AS TABLE
    SELECT f.*, s.stage, s.last_scan, s.last_hub
    FROM lb_stages_at(t, f_channels, f_regions, f_skus, f_couriers) s
    JOIN order_facts f ON f.order_id = s.order_id;

-- Activation attempts within the filters (orphans only when no filter is set), with their
-- order's channel, region and sku (attempt_facts).
CREATE OR REPLACE MACRO lb_attempts(f_channels, f_regions, f_skus, f_couriers) AS TABLE
    SELECT a.* EXCLUDE (couriers)
    FROM attempt_facts a
    WHERE lb_in_scope([a.channel], [a.region], [a.sku], a.couriers, f_channels, f_regions, f_skus, f_couriers);

-- Messages sent at or before t within the filters (message_facts rows: order_stage is the
-- order's stage at sent_at, null when the message names no known order).
CREATE OR REPLACE MACRO lb_message_rows_at(t, f_channels, f_regions, f_skus, f_couriers) AS TABLE
    SELECT m.* EXCLUDE (order_key)
    FROM message_facts m
    WHERE m.sent_at <= t
      AND lb_in_scope([m.channel], [m.region], [m.sku], m.couriers, f_channels, f_regions, f_skus, f_couriers);

-- Those messages, each with the spec 3b checks: quiet (sent in the quiet window) here, and
-- claims, in_catalog and contradicting as message_facts decided them at load.
CREATE OR REPLACE MACRO lb_messages_at(t, q_start, q_end, f_channels, f_regions, f_skus, f_couriers) AS TABLE
    SELECT m.*, lb_quiet_time(CAST(m.sent_local AS TIME), q_start, q_end) AS quiet
    FROM lb_message_rows_at(t, f_channels, f_regions, f_skus, f_couriers) m;

-- One order's messages sent at or before t, as lb_messages_at gives them (no filters: the
-- order is named), found by the order's key (lb_order_key) before its id.
CREATE OR REPLACE MACRO lb_order_messages_at(o, t, q_start, q_end) AS TABLE
    SELECT m.* EXCLUDE (order_key), lb_quiet_time(CAST(m.sent_local AS TIME), q_start, q_end) AS quiet
    FROM message_facts m
    WHERE m.order_key = lb_order_key(o) AND m.order_id = o AND m.sent_at <= t;

-- One order's current rows of orders, shipments and activations, as those tables give them:
-- acc_<table> is stored in the order the files came in, so its rows are found by the order's
-- key (lb_order_key, stored as _order_key when read) before its id (at 1M orders, one order's
-- scans 22 -> 5 ms). The same rows as `FROM shipments WHERE order_id = o`.
CREATE OR REPLACE MACRO lb_order_row(o) AS TABLE
    SELECT * EXCLUDE (_current, _withdrawn, _order_key) FROM acc_orders
    WHERE _current AND _order_key = lb_order_key(o) AND order_id = o;
CREATE OR REPLACE MACRO lb_order_scans(o) AS TABLE
    SELECT * EXCLUDE (_current, _withdrawn, _order_key) FROM acc_shipments
    WHERE _current AND _order_key = lb_order_key(o) AND order_id = o;
CREATE OR REPLACE MACRO lb_order_attempts(o) AS TABLE
    SELECT * EXCLUDE (_current, _withdrawn, _order_key) FROM acc_activations
    WHERE _current AND _order_key = lb_order_key(o) AND order_id = o;

-- Calls ended at or before t (offered at t), with wait_seconds for answered calls and the
-- caller's order and its stage at arrival (call_facts). Filters reach calls through the
-- caller's orders (customer_facts, carried by call_facts).
CREATE OR REPLACE MACRO lb_calls_at(t, f_channels, f_regions, f_skus, f_couriers) AS TABLE
    SELECT c.* EXCLUDE (channels, regions, skus, couriers)
    FROM call_facts c
    WHERE c.ended_at <= t
      AND lb_in_scope(c.channels, c.regions, c.skus, c.couriers, f_channels, f_regions, f_skus, f_couriers);

-- ---------------------------------------------------------------------------------------
-- Calls traced to message batches (README "Calls traced to messages"), as of t within the
-- filters. Who each batch reached and each call's batch are decided when files arrive
-- (queries/load/batch_reach.sql, call_batches.sql); these macros add what depends on t. w is
-- [messages] call_window_hours (the one the load used); open_only keeps the batches whose call
-- window is open at t (a reached customer's message sent in [t - w, t]), for the alert.
-- ---------------------------------------------------------------------------------------

-- The batches whose call window is open at t within the filters: a reached customer's message
-- was sent in [t - w, t].
CREATE OR REPLACE MACRO lb_batch_open(t, w, f_channels, f_regions, f_skus, f_couriers) AS TABLE
    SELECT DISTINCT batch FROM batch_reach
    WHERE sent_at <= t AND sent_at >= t - to_seconds(w * 3600)
      AND lb_in_scope(channels, regions, skus, couriers, f_channels, f_regions, f_skus, f_couriers);

-- The customers each batch reached by t (their message sent_at <= t), within the filters (a
-- message of the batch named an order within them), each watched over (sent_at, until],
-- until = least(sent_at + w, t): the call window so far.
CREATE OR REPLACE MACRO lb_batch_reach(t, w, open_only, f_channels, f_regions, f_skus, f_couriers) AS TABLE
    SELECT batch, customer_id, sent_at, least(sent_at + to_seconds(w * 3600), t) AS until
    FROM batch_reach
    WHERE sent_at <= t
      AND lb_in_scope(channels, regions, skus, couriers, f_channels, f_regions, f_skus, f_couriers)
      AND (NOT open_only OR batch IN (SELECT batch FROM lb_batch_open(t, w, f_channels, f_regions, f_skus, f_couriers)));

-- The calls traced to those batches: offered at t (ended by t) by a customer the batch reached
-- within the filters, traced to it (call_batches: after the customer's message, within w, the
-- most recent). The message came before the call, so it was sent by t.
CREATE OR REPLACE MACRO lb_batch_calls(t, w, open_only, f_channels, f_regions, f_skus, f_couriers) AS TABLE
    SELECT c.traced.batch AS batch, c.traced.sent_at AS sent_at, c.call_id, c.customer_id, c.arrived_at, c.reason
    FROM call_batches c
    WHERE c.traced IS NOT NULL AND c.ended_at <= t
      AND lb_in_scope(c.traced.channels, c.traced.regions, c.traced.skus, c.traced.couriers,
                      f_channels, f_regions, f_skus, f_couriers)
      AND (NOT open_only OR c.traced.batch IN (SELECT batch FROM lb_batch_open(t, w, f_channels, f_regions, f_skus, f_couriers)));

-- The day-before baseline's calls: every call offered at t by a reached customer that arrived
-- in their watched span 24 h earlier, (sent_at - 24 h, until - 24 h] (whatever batch it has).
CREATE OR REPLACE MACRO lb_batch_day_before(t, w, open_only, f_channels, f_regions, f_skus, f_couriers) AS TABLE
    SELECT d.of.batch AS batch, d.call_id, d.customer_id, d.arrived_at
    FROM (SELECT call_id, customer_id, arrived_at, unnest(day_before_of) AS of
          FROM call_batches WHERE ended_at <= t AND len(day_before_of) > 0) d
    WHERE d.of.sent_at <= t
      AND d.arrived_at <= least(d.of.sent_at + to_seconds(w * 3600), t) - INTERVAL 24 HOUR
      AND lb_in_scope(d.of.channels, d.of.regions, d.of.skus, d.of.couriers, f_channels, f_regions, f_skus, f_couriers)
      AND (NOT open_only OR d.of.batch IN (SELECT batch FROM lb_batch_open(t, w, f_channels, f_regions, f_skus, f_couriers)));

-- The launch's calls per customer per hour at t, the baseline of a batch whose day before the
-- calls extract does not reach: calls offered at t (within the filters) by customers whose first
-- order was placed by t, over those customers (customer_facts: first_ordered_at <= t, an order
-- within the filters) and the hours from the first call (ended by t, any caller) to t. Null
-- without such a customer or hour.
CREATE OR REPLACE MACRO lb_launch_rate(t, f_channels, f_regions, f_skus, f_couriers) AS TABLE
    SELECT
        (SELECT count(*) FROM call_batches c
         WHERE c.ended_at <= t AND c.caller.since <= t
           AND lb_in_scope(c.caller.channels, c.caller.regions, c.caller.skus, c.caller.couriers,
                           f_channels, f_regions, f_skus, f_couriers))
        / nullif((SELECT count(*) FROM customer_facts
                  WHERE first_ordered_at <= t
                    AND lb_in_scope(channels, regions, skus, couriers, f_channels, f_regions, f_skus, f_couriers)), 0)
        / nullif((epoch(t) - epoch((SELECT min(arrived_at) FROM calls WHERE ended_at <= t))) / 3600.0, 0)
        AS per_customer_hour;

-- Per batch reached by t: the customers it reached, the calls traced to it, and its baseline
--   'day before': the day-before baseline's calls (lb_batch_day_before), when the calls extract
--                 reaches back that far: its first call (ended by t) arrived at or before the
--                 batch's first reach - 24 h;
--   'launch rate': otherwise, lb_launch_rate x the hours watched, summed over the customers;
-- excess = calls - baseline, rate_ratio = calls / baseline. window_open: t <= last reach + w.
CREATE OR REPLACE MACRO lb_batch_counts(t, w, open_only, f_channels, f_regions, f_skus, f_couriers) AS TABLE
    WITH reached AS (
        SELECT batch, count(*) AS customers_reached, min(sent_at) AS first_reach, max(sent_at) AS last_reach,
               sum(epoch(until) - epoch(sent_at)) / 3600.0 AS customer_hours
        FROM lb_batch_reach(t, w, open_only, f_channels, f_regions, f_skus, f_couriers)
        GROUP BY 1
    ),
    traced AS (
        SELECT batch, count(*) AS calls, min(arrived_at) AS first_call
        FROM lb_batch_calls(t, w, open_only, f_channels, f_regions, f_skus, f_couriers)
        GROUP BY 1
    ),
    day_before AS (
        SELECT batch, count(*) AS calls
        FROM lb_batch_day_before(t, w, open_only, f_channels, f_regions, f_skus, f_couriers)
        GROUP BY 1
    ),
    first_call AS (SELECT min(arrived_at) AS first_at FROM calls WHERE ended_at <= t),
    judged AS (
        SELECT r.batch, r.customers_reached, r.first_reach, r.last_reach, r.customer_hours,
               coalesce(k.calls, 0) AS calls, k.first_call,
               CASE WHEN fc.first_at <= r.first_reach - INTERVAL 24 HOUR THEN 'day before' ELSE 'launch rate' END
                   AS baseline_method,
               CASE WHEN fc.first_at <= r.first_reach - INTERVAL 24 HOUR THEN CAST(coalesce(d.calls, 0) AS DOUBLE)
                    ELSE (SELECT per_customer_hour FROM lb_launch_rate(t, f_channels, f_regions, f_skus, f_couriers))
                         * r.customer_hours END AS baseline
        FROM reached r
        CROSS JOIN first_call fc
        LEFT JOIN traced k USING (batch)
        LEFT JOIN day_before d USING (batch)
    )
    SELECT *, calls - baseline AS excess, calls / nullif(baseline, 0) AS rate_ratio,
           t <= last_reach + to_seconds(w * 3600) AS window_open
    FROM judged;
