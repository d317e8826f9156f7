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
