-- Derived tables, rebuilt after every load (for a small drop: for the touched orders only,
-- by running this same file in a scratch schema). Parameters: none.
--
-- order_facts: one row per current order, with the milestone times the stage rules need in
-- `sf` and the couriers that carried it.
-- stage_timeline: every order's spec 3b stage as a function of time, one row per interval
-- [from_at, to_at) in which nothing about the order changes. The stage rules are written
-- here, once: "the stage of an order at t" is the row with from_at <= t < to_at (the first
-- row starts at -infinity, the last ends at infinity), so a figure at any moment is a range
-- filter or an ASOF join, never a rule evaluated per row.
-- message_facts: one row per current message with what its figures need, decided once per
-- load: the launch-local wall time it was sent, its order's stage at sent_at (null when it
-- names no known order), the order's filter fields, and its template's claim (catalog) with
-- whether the claim contradicts that stage, and the order's key (lb_order_key).
-- attempt_facts: one row per current activation attempt with its order's filter fields, so
-- that a figure on attempts within the filters reads one table (null fields: no known order).
-- customer_facts: one row per customer with orders, for filtering calls, and the time of the
-- customer's first order (first_ordered_at: a customer "of the launch" from then on).
-- orphan_rows: one row per current shipment, attempt or message whose order_id names no order.
CREATE OR REPLACE TABLE order_facts AS
WITH ev AS (
    SELECT
        order_id,
        min(event_at) FILTER (WHERE event = 'delivered') AS first_delivered_at,
        min(event_at) FILTER (WHERE event IN ('picked_up', 'at_hub', 'out_for_delivery', 'failed_attempt')) AS first_transit_at,
        min(event_at) FILTER (WHERE event = 'packed') AS first_packed_at,
        list(DISTINCT courier ORDER BY courier) AS couriers
    FROM shipments
    GROUP BY order_id
),
act AS (
    SELECT
        order_id,
        min(finished_at) FILTER (WHERE result = 'success') AS first_success_at,
        min(finished_at) FILTER (WHERE result = 'failed') AS first_failed_at
    FROM activations
    GROUP BY order_id
)
SELECT
    o.order_id, o.customer_id, o.channel, o.sku, o.region, o.model, o.priority,
    o.ordered_at, o.allocated_at, o.cancelled_at, o.promised_delivery_by, o.promised_activation_by,
    coalesce(ev.couriers, []) AS couriers,
    struct_pack(
        cancelled_at := o.cancelled_at,
        allocated_at := o.allocated_at,
        first_success_at := act.first_success_at,
        first_failed_at := act.first_failed_at,
        first_delivered_at := ev.first_delivered_at,
        first_transit_at := ev.first_transit_at,
        first_packed_at := ev.first_packed_at
    ) AS sf
FROM orders o
LEFT JOIN ev USING (order_id)
LEFT JOIN act USING (order_id)
ORDER BY o.order_id;  -- sorted: a lookup by order_id reads one row group

CREATE OR REPLACE TABLE attempt_facts AS
SELECT a.*, f.channel, f.region, f.sku, f.couriers
FROM activations a
LEFT JOIN order_facts f USING (order_id);

-- The moments at which anything about an order can change: every shipment scan, every
-- attempt's request and finish, allocation, cancellation (and -infinity, where it starts).
-- Scans at the same moment are ordered as spec 3b orders them (packed, picked_up, at_hub,
-- out_for_delivery, failed_attempt, delivered, returned, then event_id), so the last row of
-- a moment carries that moment's latest scan, and running sums give the attempts pending.
-- stage_timeline__running: the last row of each moment, kept narrow (the order's fields join
-- below) and written once for the two statements that read it (derive.py: `stage_timeline__*`
-- are the stage_timeline step's scratch tables).
CREATE OR REPLACE TEMP TABLE stage_timeline__running AS
WITH points AS (
    SELECT order_id, event_at AS ts, 0 AS pending, event, hub,
           list_position(['packed', 'picked_up', 'at_hub', 'out_for_delivery',
                          'failed_attempt', 'delivered', 'returned'], event) AS rank, event_id
    FROM shipments
    UNION ALL
    SELECT order_id, requested_at, 1, NULL, NULL, NULL, NULL FROM activations
    UNION ALL
    SELECT order_id, finished_at, -1, NULL, NULL, NULL, NULL FROM activations WHERE finished_at IS NOT NULL
    UNION ALL
    SELECT order_id, unnest(['-infinity'::TIMESTAMPTZ, allocated_at, cancelled_at]), 0, NULL, NULL, NULL, NULL
    FROM orders
),
running AS (
    SELECT order_id, ts,
           lead(ts, 1, 'infinity'::TIMESTAMPTZ) OVER w AS to_at,
           sum(pending) OVER w AS pending,
           last_value(CASE WHEN event IS NOT NULL THEN struct_pack(ev := event, hub := hub, at := ts) END
                      IGNORE NULLS) OVER w AS last_scan,
           last_value(hub IGNORE NULLS) OVER w AS last_hub
    FROM points
    WHERE ts IS NOT NULL
    WINDOW w AS (PARTITION BY order_id ORDER BY ts, rank NULLS FIRST, event_id
                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
)
SELECT * FROM running WHERE to_at > ts;  -- the last row of each moment

CREATE OR REPLACE TEMP VIEW stage_timeline__rows AS
SELECT
    r.order_id,
    r.ts AS from_at,
    r.to_at,
    -- Spec 3b "Order stage at T": the first rule that holds.
    CASE
        WHEN f.cancelled_at <= r.ts THEN 'cancelled'
        WHEN f.sf.first_success_at <= r.ts THEN 'activated'
        WHEN r.pending > 0 THEN 'activation_pending'
        WHEN f.sf.first_failed_at <= r.ts THEN 'activation_failed'
        WHEN r.last_scan.ev = 'returned' THEN 'returned'
        WHEN f.sf.first_delivered_at <= r.ts THEN 'delivered'
        WHEN f.sf.first_transit_at <= r.ts THEN 'in_transit'
        WHEN f.sf.first_packed_at <= r.ts THEN 'packed'
        WHEN f.allocated_at <= r.ts THEN 'allocated'
        ELSE 'reserved'
    END AS stage,
    r.last_scan,   -- the latest scan at from_at (struct ev, hub, at), null before the first
    r.last_hub,    -- the hub of the latest scan that names one
    -- the order's existence and filter fields (order_facts), so that "stage at t within the
    -- filters" reads this table alone (they cost ~1.3 s of the load at 1M orders; joining
    -- order_facts for a filter instead made stage queries slower: README "Speed and scale")
    f.ordered_at, f.channel, f.region, f.sku, f.couriers
FROM stage_timeline__running r
JOIN order_facts f USING (order_id);

-- Stored for "as of T" at live T, the moment most views ask about: first each order's current
-- row (to_at infinity), sorted by order_id, then the rows that ended, as they come. A figure at T
-- reads the row groups whose to_at can exceed T (DuckDB's min/max per row group): at live T only
-- the current rows, and a lookup of an order at live T reads one row group. An earlier moment
-- reads the ended rows too. (Sorting the ended rows by to_at as well, so that an hour earlier
-- read only the last hour's, made this step ~1.6x slower at 1M orders, 14 -> 9 s without, for
-- 50-90 ms off a stage query at an earlier moment.)
-- (order_id stored as it is, as in message_facts; filled BY NAME, so a column of the view and
-- of this declaration cannot be swapped silently)
CREATE OR REPLACE TABLE stage_timeline (
    order_id VARCHAR USING COMPRESSION uncompressed, from_at TIMESTAMPTZ, to_at TIMESTAMPTZ, stage VARCHAR,
    last_scan STRUCT(ev VARCHAR, hub VARCHAR, "at" TIMESTAMPTZ), last_hub VARCHAR, ordered_at TIMESTAMPTZ,
    channel VARCHAR, region VARCHAR, sku VARCHAR, couriers VARCHAR[]
);

INSERT INTO stage_timeline BY NAME SELECT * FROM stage_timeline__rows WHERE to_at = 'infinity'::TIMESTAMPTZ ORDER BY order_id;

INSERT INTO stage_timeline BY NAME SELECT * FROM stage_timeline__rows WHERE to_at < 'infinity'::TIMESTAMPTZ;

DROP VIEW stage_timeline__rows;

DROP TABLE stage_timeline__running;

-- stage_spans: when each order was in each stage the stalled-stage alert watches (allocated,
-- packed, in_transit, activation_pending), clipped to when the order exists
-- [greatest(from_at, ordered_at), to_at). An order whose timeline rows of a stage are contiguous
-- has one row, their span [f, t) (contiguous); one that left the stage and came back keeps each
-- of those clipped rows (not contiguous). Decided once per load, so that the alert history
-- (queries/history_stalled_stages.sql) does not group every timeline row by order on each open
-- (at 1M orders: 6.4M rows into 4.1M spans, 1.8 s).
CREATE OR REPLACE TABLE stage_spans AS
WITH clipped AS MATERIALIZED (
    SELECT order_id, stage, greatest(from_at, ordered_at) AS f, to_at AS t
    FROM stage_timeline
    WHERE stage IN ('allocated', 'packed', 'in_transit', 'activation_pending')
      AND to_at > greatest(from_at, ordered_at)
),
spans AS MATERIALIZED (  -- contiguous: the rows' lengths (microseconds) add up to the span
    SELECT order_id, stage, min(f) AS f, max(t) AS t,
           sum(CAST(lb_us(t) AS HUGEINT) - lb_us(f)) = CAST(lb_us(max(t)) AS HUGEINT) - lb_us(min(f)) AS contiguous
    FROM clipped GROUP BY order_id, stage
)
SELECT order_id, stage, f, t, true AS contiguous FROM spans WHERE contiguous
UNION ALL
SELECT c.order_id, c.stage, c.f, c.t, false AS contiguous
FROM clipped c SEMI JOIN (SELECT order_id, stage FROM spans WHERE NOT contiguous) s USING (order_id, stage);

-- Declared, so that its near-unique ids are stored as they are (as in acc_<table>,
-- schema.column_defs): string compression of 7.7M ids each was the dearest part of writing
-- the table (at 1M orders, 9.2/8.9 -> 7.3/7.2 s alternating). Categories stay compressed.
CREATE OR REPLACE TABLE message_facts (
    message_id VARCHAR USING COMPRESSION uncompressed, customer_id VARCHAR USING COMPRESSION uncompressed,
    order_id VARCHAR USING COMPRESSION uncompressed, template VARCHAR, sent_at TIMESTAMPTZ, status VARCHAR,
    batch_id VARCHAR, corrects_batch_id VARCHAR, error_code VARCHAR, sent_local TIMESTAMP, order_stage VARCHAR,
    channel VARCHAR, region VARCHAR, sku VARCHAR, couriers VARCHAR[], claims VARCHAR, in_catalog BOOLEAN,
    contradicting BOOLEAN, order_key UINTEGER
);

INSERT INTO message_facts BY NAME
WITH staged AS (  -- the range join carries only the keys and the stage; the message's columns
    -- join back by its row number (carrying all of them through the join made it ~1.4x slower
    -- at 8M messages, joining back by message_id ~1.1x: a number hashes faster than a string),
    -- and the order's filter fields by order_id (carrying them through both joins as well cost
    -- ~1.5 s more at 1M orders). The current messages are the rows of acc_messages marked
    -- _current (the view messages has no rowid). `_rid`: no extra column can take the name
    -- (schema.normalise_header strips leading underscores)
    SELECT m._rid, s.stage
    FROM (SELECT rowid AS _rid, order_id, sent_at FROM acc_messages WHERE _current) m
    JOIN stage_timeline s ON s.order_id = m.order_id AND s.from_at <= m.sent_at AND m.sent_at < s.to_at
)
SELECT
    m.message_id, m.customer_id, m.order_id, m.template, m.sent_at, m.status, m.batch_id,
    m.corrects_batch_id, m.error_code,
    lb_local(m.sent_at) AS sent_local,  -- launch-local wall time (TIMESTAMP)
    s.stage AS order_stage,
    -- the order's filter fields: the same as on its timeline rows (a known order has exactly one
    -- row covering any moment, from -infinity on, and sent_at is required), null when the
    -- message names no known order
    f.channel, f.region, f.sku, f.couriers,
    -- spec 3b: what the template claims (catalog) and whether that is false at sent_at
    c.claims,
    c.template IS NOT NULL AS in_catalog,
    coalesce(c.claims IS NOT NULL AND lb_claim_false(c.claims, s.stage), false) AS contradicting,
    lb_order_key(m.order_id) AS order_key  -- one order's messages are found by it (lb_order_messages_at)
FROM (SELECT rowid AS _rid, * FROM acc_messages WHERE _current) m
LEFT JOIN staged s USING (_rid)
LEFT JOIN order_facts f ON f.order_id = m.order_id
LEFT JOIN template_catalog c ON c.template = m.template;

CREATE OR REPLACE TABLE customer_facts AS
-- A customer with one order has that order's fields; only those with several aggregate lists
-- (over every customer that cost ~1.6x more at 1M orders).
WITH g AS (
    SELECT customer_id, min(order_id) AS first_order, max(order_id) AS last_order, min(ordered_at) AS first_ordered_at
    FROM order_facts
    GROUP BY customer_id
),
several AS (
    SELECT customer_id,
           list_distinct(list(channel)) AS channels, list_distinct(list(region)) AS regions,
           list_distinct(list(sku)) AS skus, list_distinct(flatten(list(couriers))) AS couriers
    FROM order_facts SEMI JOIN (SELECT customer_id FROM g WHERE first_order <> last_order) USING (customer_id)
    GROUP BY customer_id
)
SELECT g.customer_id,
       coalesce(x.channels, [f.channel]) AS channels,  -- required order columns: never null
       coalesce(x.regions, [f.region]) AS regions,
       coalesce(x.skus, [f.sku]) AS skus,
       coalesce(x.couriers, list_distinct(f.couriers)) AS couriers,
       g.first_ordered_at
FROM g
LEFT JOIN order_facts f ON f.order_id = g.first_order AND g.first_order = g.last_order
LEFT JOIN several x ON x.customer_id = g.customer_id;

CREATE OR REPLACE TABLE orphan_rows AS
SELECT 'shipments' AS table_name, order_id FROM shipments s ANTI JOIN orders o USING (order_id)
UNION ALL
SELECT 'activations', order_id FROM activations a ANTI JOIN orders o USING (order_id)
UNION ALL
SELECT 'messages', order_id FROM messages m ANTI JOIN orders o USING (order_id) WHERE m.order_id IS NOT NULL;
