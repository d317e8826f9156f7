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
    SELECT m.*
    FROM message_facts m
    WHERE m.sent_at <= t
      AND lb_in_scope([m.channel], [m.region], [m.sku], m.couriers, f_channels, f_regions, f_skus, f_couriers);

-- Those messages, each with the spec 3b checks: quiet (sent in the quiet window) here, and
-- claims, in_catalog and contradicting as message_facts decided them at load.
CREATE OR REPLACE MACRO lb_messages_at(t, q_start, q_end, f_channels, f_regions, f_skus, f_couriers) AS TABLE
    SELECT m.*, lb_quiet_time(CAST(m.sent_local AS TIME), q_start, q_end) AS quiet
    FROM lb_message_rows_at(t, f_channels, f_regions, f_skus, f_couriers) m;

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

-- The customers each batch reached by t (their message sent_at <= t), within the filters (a
-- message of the batch named an order within them), each watched over (sent_at, until],
-- until = least(sent_at + w, t): the call window so far.
CREATE OR REPLACE MACRO lb_batch_reach(t, w, open_only, f_channels, f_regions, f_skus, f_couriers) AS TABLE
    SELECT batch, customer_id, sent_at, least(sent_at + to_seconds(w * 3600), t) AS until
    FROM batch_reach
    WHERE sent_at <= t
      AND lb_in_scope(channels, regions, skus, couriers, f_channels, f_regions, f_skus, f_couriers)
      AND (NOT open_only OR batch IN (
          SELECT batch FROM batch_reach
          WHERE sent_at <= t AND sent_at >= t - to_seconds(w * 3600)
            AND lb_in_scope(channels, regions, skus, couriers, f_channels, f_regions, f_skus, f_couriers)));

-- The calls traced to those batches: offered at t (ended by t) by a reached customer, traced
-- to that batch (call_batches: after the customer's message, within w, the most recent).
CREATE OR REPLACE MACRO lb_batch_calls(t, w, open_only, f_channels, f_regions, f_skus, f_couriers) AS TABLE
    SELECT r.batch, r.sent_at, c.call_id, c.customer_id, c.arrived_at, c.reason
    FROM call_batches c
    JOIN lb_batch_reach(t, w, open_only, f_channels, f_regions, f_skus, f_couriers) r
      ON r.batch = c.traced_batch AND r.customer_id = c.customer_id
    WHERE c.ended_at <= t;

-- The day-before baseline's calls: every call offered at t by a reached customer that arrived
-- in their watched span 24 h earlier, (sent_at - 24 h, until - 24 h] (whatever batch it has).
CREATE OR REPLACE MACRO lb_batch_day_before(t, w, open_only, f_channels, f_regions, f_skus, f_couriers) AS TABLE
    SELECT r.batch, c.call_id, c.customer_id, c.arrived_at
    FROM (SELECT call_id, customer_id, arrived_at, ended_at, unnest(day_before_of) AS of
          FROM call_batches WHERE ended_at <= t AND len(day_before_of) > 0) c
    JOIN lb_batch_reach(t, w, open_only, f_channels, f_regions, f_skus, f_couriers) r
      ON r.batch = c.of.batch AND r.customer_id = c.customer_id AND r.sent_at = c.of.sent_at
    WHERE c.arrived_at <= r.until - INTERVAL 24 HOUR;

-- Per batch as of t: what it sent, whom it reached, the calls it may have caused against the
-- calls those customers would have made anyway (the baseline), and its share of the load.
-- The baseline is
--   'day before': lb_batch_day_before, when the calls extract reaches back that far: its first
--                 call (ended by t) arrived at or before the batch's first reach - 24 h;
--   'launch rate': otherwise, the launch's calls per customer per hour (calls ended by t by
--                 customers with an order placed by t, over those customers and the hours from
--                 the first call to t) times the hours watched, summed over the customers.
-- window_calls: every call offered at t (unknown callers too, within the filters) that arrived
-- in (first reach, least(last reach + w, t)]. window_open: t <= last reach + w.
CREATE OR REPLACE MACRO lb_batch_impact(t, w, open_only, f_channels, f_regions, f_skus, f_couriers) AS TABLE
    WITH reach AS MATERIALIZED (
        SELECT * FROM lb_batch_reach(t, w, open_only, f_channels, f_regions, f_skus, f_couriers)
    ),
    sends AS (
        SELECT coalesce(batch_id, 'corrects ' || corrects_batch_id) AS batch,
               count(*) AS messages,
               string_agg(DISTINCT template, ', ' ORDER BY template) AS template,
               string_agg(DISTINCT corrects_batch_id, ', ' ORDER BY corrects_batch_id) AS corrects
        FROM lb_message_rows_at(t, f_channels, f_regions, f_skus, f_couriers)
        WHERE (batch_id IS NOT NULL OR corrects_batch_id IS NOT NULL)
          AND (NOT open_only OR coalesce(batch_id, 'corrects ' || corrects_batch_id) IN (SELECT batch FROM reach))
        GROUP BY 1
    ),
    reached AS (
        SELECT batch, count(*) AS customers_reached, min(sent_at) AS first_reach, max(sent_at) AS last_reach,
               sum(epoch(until) - epoch(sent_at)) / 3600.0 AS customer_hours
        FROM reach GROUP BY 1
    ),
    offered AS (SELECT * FROM lb_calls_at(t, f_channels, f_regions, f_skus, f_couriers)),
    first_call AS (SELECT min(arrived_at) AS first_at FROM calls WHERE ended_at <= t),
    launch_customers AS (
        SELECT DISTINCT customer_id FROM lb_order_facts_at(t, f_channels, f_regions, f_skus, f_couriers)
    ),
    launch_rate AS (
        SELECT (SELECT count(*) FROM offered WHERE customer_id IN (SELECT customer_id FROM launch_customers))
               / nullif((SELECT count(*) FROM launch_customers), 0)
               / nullif((epoch(t) - epoch((SELECT first_at FROM first_call))) / 3600.0, 0) AS per_customer_hour
    ),
    day_before AS (
        SELECT batch, count(*) AS calls
        FROM lb_batch_day_before(t, w, open_only, f_channels, f_regions, f_skus, f_couriers)
        GROUP BY 1
    ),
    traced AS MATERIALIZED (
        SELECT batch, arrived_at, coalesce(reason, '(none)') AS reason
        FROM lb_batch_calls(t, w, open_only, f_channels, f_regions, f_skus, f_couriers)
    ),
    caused AS (SELECT batch, count(*) AS calls, min(arrived_at) AS first_call FROM traced GROUP BY 1),
    reasons AS (
        SELECT batch, list({'reason': reason, 'calls': calls} ORDER BY calls DESC, reason) AS reasons
        FROM (SELECT batch, reason, count(*) AS calls FROM traced GROUP BY ALL)
        GROUP BY 1
    ),
    load AS (
        SELECT r.batch, count(c.call_id) AS window_calls
        FROM reached r
        JOIN offered c ON c.arrived_at > r.first_reach
         AND c.arrived_at <= least(r.last_reach + to_seconds(w * 3600), t)
        GROUP BY 1
    ),
    judged AS (
        SELECT s.batch, s.template, s.corrects, s.messages,
               coalesce(r.customers_reached, 0) AS customers_reached, r.first_reach, r.last_reach,
               coalesce(k.calls, 0) AS calls, k.first_call,
               CASE WHEN r.batch IS NULL THEN NULL
                    WHEN (SELECT first_at FROM first_call) <= r.first_reach - INTERVAL 24 HOUR THEN 'day before'
                    ELSE 'launch rate' END AS baseline_method,
               r.customer_hours,
               coalesce(d.calls, 0) AS day_before_calls,
               coalesce(l.window_calls, 0) AS window_calls,
               coalesce(x.reasons, []) AS reasons
        FROM sends s
        LEFT JOIN reached r USING (batch)
        LEFT JOIN caused k USING (batch)
        LEFT JOIN day_before d USING (batch)
        LEFT JOIN load l USING (batch)
        LEFT JOIN reasons x USING (batch)
    )
    SELECT batch, template, corrects, messages, customers_reached, first_reach, last_reach, calls,
           baseline_method, baseline, calls - baseline AS excess, calls / nullif(baseline, 0) AS rate_ratio,
           window_calls, calls / nullif(window_calls, 0) AS load_share, first_call, reasons,
           t <= last_reach + to_seconds(w * 3600) AS window_open
    FROM (
        SELECT j.*,
               CASE baseline_method WHEN 'day before' THEN CAST(day_before_calls AS DOUBLE)
                                    WHEN 'launch rate' THEN (SELECT per_customer_hour FROM launch_rate) * customer_hours
                                    ELSE 0.0 END AS baseline
        FROM judged j
    );
