"""Spec 3b: order stage at T (ten rules, first that holds), promises, activations at T.

All times are launch-local (Asia/Seoul) unless they carry an offset.
"""
from __future__ import annotations

import pytest

from launchboard import metrics, sql
from launchboard.metrics import Params
from launchboard.schema import STAGES
from launchboard.timeutil import parse_moment

ORDERS = "order_id,customer_id,channel,sku,region,ordered_at,allocated_at,cancelled_at\n"
SHIP = "event_id,order_id,courier,event,event_at\n"
ACT = "attempt_id,order_id,requested_via,requested_at,result,finished_at,error_code\n"


# One order per scenario, all ordered 2016-10-07 10:00; loaded once for the module.
# order_id: (allocated_at, cancelled_at, [(event, at)], [(requested_at, result, finished_at, error_code)])
SCENARIOS = {
    "ALLOC": ("2016-10-08 09:00", "", [], []),
    "SHIP": ("2016-10-08 09:00", "", [
        ("packed", "2016-10-20 08:00"), ("picked_up", "2016-10-20 12:00"), ("at_hub", "2016-10-20 18:00"),
        ("out_for_delivery", "2016-10-21 08:00"), ("failed_attempt", "2016-10-21 11:00"),
        ("delivered", "2016-10-22 15:00")], []),
    "T_picked_up": ("", "", [("picked_up", "2016-10-20 12:00")], []),
    "T_at_hub": ("", "", [("at_hub", "2016-10-20 12:00")], []),
    "T_out_for_delivery": ("", "", [("out_for_delivery", "2016-10-20 12:00")], []),
    "T_failed_attempt": ("", "", [("failed_attempt", "2016-10-20 12:00")], []),
    "PACKED_NO_ALLOC": ("", "", [("packed", "2016-10-20 12:00")], []),
    "RET": ("2016-10-08 09:00", "", [
        ("picked_up", "2016-10-20 12:00"), ("returned", "2016-10-21 12:00"), ("at_hub", "2016-10-22 12:00"),
        ("delivered", "2016-10-23 12:00"), ("returned", "2016-10-24 12:00")], []),
    "DELIV_SCAN": ("", "", [("delivered", "2016-10-21 12:00"), ("at_hub", "2016-10-21 13:00")], []),
    "PEND_THEN_OK": ("", "", [("delivered", "2016-10-21 10:00")],
                     [("2016-10-21 11:00", "success", "2016-10-21 11:30", "")]),
    "PEND_ONLY": ("", "", [], [("2016-10-21 11:00", "pending", "", "")]),
    "FAIL_RETRY": ("", "", [("delivered", "2016-10-21 10:00")],
                   [("2016-10-21 11:00", "failed", "2016-10-21 11:05", "E-ICCID"),
                    ("2016-10-21 11:20", "success", "2016-10-21 11:40", "")]),
    "FAIL_RET": ("", "", [("delivered", "2016-10-21 10:00"), ("returned", "2016-10-21 13:00")],
                 [("2016-10-21 11:00", "failed", "2016-10-21 11:05", "E1")]),
    "OK_THEN_PEND": ("", "", [], [("2016-10-21 11:00", "success", "2016-10-21 11:05", ""),
                                  ("2016-10-21 12:00", "pending", "", "")]),
    "CANCEL_LATE": ("2016-10-08 09:00", "2016-10-21 12:00", [("delivered", "2016-10-21 10:00")],
                    [("2016-10-21 11:00", "success", "2016-10-21 11:05", "")]),
    "CANCEL_EARLY": ("", "2016-10-08 12:00", [], []),
    "LATE_ATTEMPT": ("", "", [("delivered", "2016-10-21 10:00")],
                     [("2016-10-22 11:00", "failed", "2016-10-22 11:05", "E1")]),
}


def scenario_files():
    orders, events, attempts = [], [], []
    for oid, (allocated, cancelled, evs, atts) in SCENARIOS.items():
        orders.append(f"{oid},C-{oid},web,IP7,Seoul,2016-10-07 10:00,{allocated},{cancelled}\n")
        events += [f"E-{oid}-{i},{oid},CJ,{ev},{at}\n" for i, (ev, at) in enumerate(evs)]
        attempts += [f"A-{oid}-{i},{oid},auto,{req},{res},{fin},{code}\n"
                     for i, (req, res, fin, code) in enumerate(atts)]
    return {"orders/o.csv": ORDERS + "".join(orders), "shipments/s.csv": SHIP + "".join(events),
            "activations/a.csv": ACT + "".join(attempts)}


@pytest.fixture(scope="module")
def stages(open_module_launch):
    """``stages(when)``: {order_id: stage at when} (orders not existing yet are absent)."""
    store = open_module_launch(scenario_files())

    def _at(when: str) -> dict[str, str]:
        t = parse_moment(when, store.config.tz)
        cur = store.cursor()
        try:  # the engine's own definition (lb_orders_at), and the report's count per stage
            got = dict(cur.execute("SELECT order_id, stage FROM lb_orders_at($t, [], [], [], [])", {"t": t}).fetchall())
            summary = metrics.orders(cur, Params(t, store.config))
        finally:
            cur.close()
        counts = {s: list(got.values()).count(s) for s in STAGES}
        assert summary["by_stage"] == counts and summary["total"] == len(got)
        return got

    return _at


def test_reserved_then_allocated_at_its_timestamp(stages):
    assert "ALLOC" not in stages("2016-10-07 09:59")               # ordered_at > T: not an order yet
    assert stages("2016-10-07 10:00")["ALLOC"] == "reserved"       # exists from ordered_at (inclusive)
    assert stages("2016-10-08 08:59:59")["ALLOC"] == "reserved"
    assert stages("2016-10-08 09:00")["ALLOC"] == "allocated"      # milestone counts once <= T


def test_shipping_stages_in_order(stages):
    assert stages("2016-10-20 07:59")["SHIP"] == "allocated"
    assert stages("2016-10-20 08:00")["SHIP"] == "packed"
    assert stages("2016-10-20 12:00")["SHIP"] == "in_transit"
    assert stages("2016-10-21 11:30")["SHIP"] == "in_transit"     # a failed delivery attempt is still in transit
    assert stages("2016-10-22 15:00")["SHIP"] == "delivered"


@pytest.mark.parametrize("event", ["picked_up", "at_hub", "out_for_delivery", "failed_attempt"])
def test_each_transit_event_means_in_transit(stages, event):
    assert stages("2016-10-20 11:59")["T_" + event] == "reserved"  # no allocated_at: waiting for stock
    assert stages("2016-10-20 12:00")["T_" + event] == "in_transit"


def test_packed_without_allocation(stages):
    assert stages("2016-10-20 12:00")["PACKED_NO_ALLOC"] == "packed"


def test_returned_only_while_latest_event_is_returned(stages):
    assert stages("2016-10-21 11:59")["RET"] == "in_transit"
    assert stages("2016-10-21 12:00")["RET"] == "returned"
    assert stages("2016-10-22 12:00")["RET"] == "in_transit"       # re-shipped: latest event is at_hub
    assert stages("2016-10-23 12:00")["RET"] == "delivered"
    assert stages("2016-10-24 12:00")["RET"] == "returned"         # returned beats an earlier delivered


def test_delivered_stays_delivered_after_a_later_transit_scan(stages):
    # rule 6 needs only "a delivered event <= T": a stray scan after delivery does not undo it
    assert stages("2016-10-21 13:00")["DELIV_SCAN"] == "delivered"


def test_activation_pending_even_if_it_later_succeeds(stages):
    assert stages("2016-10-21 10:59")["PEND_THEN_OK"] == "delivered"
    assert stages("2016-10-21 11:00")["PEND_THEN_OK"] == "activation_pending"  # requested <= T, no finished_at <= T
    assert stages("2016-10-21 11:29:59")["PEND_THEN_OK"] == "activation_pending"
    assert stages("2016-10-21 11:30")["PEND_THEN_OK"] == "activated"


def test_pending_attempt_without_finish_and_without_shipment(stages):
    assert stages("2016-10-21 10:59")["PEND_ONLY"] == "reserved"
    assert stages("2016-10-30 00:00")["PEND_ONLY"] == "activation_pending"


def test_activation_failed_then_retry_pending_then_activated(stages):
    assert stages("2016-10-21 11:05")["FAIL_RETRY"] == "activation_failed"
    assert stages("2016-10-21 11:20")["FAIL_RETRY"] == "activation_pending"   # pending beats failed
    assert stages("2016-10-21 11:40")["FAIL_RETRY"] == "activated"            # activated beats failed


def test_activation_failed_beats_returned(stages):
    assert stages("2016-10-21 13:00")["FAIL_RET"] == "activation_failed"


def test_activated_beats_a_later_pending_attempt(stages):
    assert stages("2016-10-21 12:30")["OK_THEN_PEND"] == "activated"


def test_cancelled_beats_everything_from_cancelled_at(stages):
    assert stages("2016-10-21 11:59")["CANCEL_LATE"] == "activated"
    assert stages("2016-10-21 12:00")["CANCEL_LATE"] == "cancelled"


def test_cancelled_before_allocation_stays_in_total(stages):
    assert stages("2016-10-08 11:00")["CANCEL_EARLY"] == "reserved"
    assert stages("2016-10-08 12:00")["CANCEL_EARLY"] == "cancelled"
    assert len(stages("2016-10-30 00:00")) == len(SCENARIOS)       # total counts cancelled orders


def test_attempt_requested_after_t_is_ignored(stages):
    assert stages("2016-10-22 10:59")["LATE_ATTEMPT"] == "delivered"
    assert stages("2016-10-22 11:05")["LATE_ATTEMPT"] == "activation_failed"


def test_as_of_with_an_offset_is_the_same_instant(stages):
    assert stages("2016-10-08 00:00Z")["ALLOC"] == "allocated"      # 09:00 Seoul
    assert stages("2016-10-07T23:59:59Z")["ALLOC"] == "reserved"


def test_report_counts_every_stage_at_t(stages):
    at = stages("2016-10-21 11:30")
    assert at == {
        "ALLOC": "allocated", "SHIP": "in_transit", "T_picked_up": "in_transit", "T_at_hub": "in_transit",
        "T_out_for_delivery": "in_transit", "T_failed_attempt": "in_transit", "PACKED_NO_ALLOC": "packed",
        "RET": "in_transit", "DELIV_SCAN": "reserved", "PEND_THEN_OK": "activated", "PEND_ONLY": "activation_pending",
        "FAIL_RETRY": "activation_pending", "FAIL_RET": "activation_failed", "OK_THEN_PEND": "activated",
        "CANCEL_LATE": "activated", "CANCEL_EARLY": "cancelled", "LATE_ATTEMPT": "delivered",
    }


# -- promises ----------------------------------------------------------------------------------

PROMISE = "order_id,customer_id,channel,sku,region,ordered_at,cancelled_at,promised_delivery_by,promised_activation_by\n"


def promise_launch():
    orders = [
        # id, cancelled_at, promised_delivery_by, promised_activation_by
        ("O1", "", "2016-10-21 18:00", "2016-10-21 20:00"),   # delivered 17:00, activated 19:00: kept both
        ("O2", "", "2016-10-21 18:00", "2016-10-21 20:00"),   # delivered 19:00 (late), activated 21:00 (late)
        ("O3", "", "2016-10-21 18:00", "2016-10-21 20:00"),   # never delivered; only a failed attempt
        ("O4", "2016-10-21 12:00", "2016-10-21 18:00", "2016-10-21 20:00"),  # cancelled: excluded
        ("O5", "", "2016-10-23 18:00", "2016-10-23 20:00"),   # promises in the future at T
        ("O6", "", "2016-10-21 18:00", "2016-10-21 20:00"),   # delivered exactly at 18:00; pending attempt
        ("O7", "2016-10-23 12:00", "2016-10-21 18:00", ""),   # cancelled only after T: counts; no activation promise
        ("O8", "", "", ""),                                   # no promise at all
    ]
    ship = [("O1", "2016-10-21 17:00"), ("O2", "2016-10-21 19:00"), ("O6", "2016-10-21 18:00")]
    act = [("O1", "2016-10-21 18:30", "success", "2016-10-21 19:00", ""),
           ("O2", "2016-10-21 20:30", "success", "2016-10-21 21:00", ""),
           ("O3", "2016-10-21 18:30", "failed", "2016-10-21 18:40", "E1"),
           ("O6", "2016-10-21 19:00", "pending", "", "")]
    return {
        "orders/o.csv": PROMISE + "".join(f"{o},C{o},web,IP7,Seoul,2016-10-07 10:00,{c},{d},{a}\n" for o, c, d, a in orders),
        "shipments/s.csv": SHIP + "".join(f"E{o},{o},CJ,delivered,{at}\n" for o, at in ship),
        "activations/a.csv": ACT + "".join(f"A{o},{o},auto,{r},{res},{f},{e}\n" for o, r, res, f, e in act),
    }


def test_missed_delivery_and_activation_promises(launch):
    store, rep = launch(promise_launch(), as_of="2016-10-22 00:00")
    # delivery: O2 (delivered after the promise), O3 (never), O7 (cancelled only later) -> 3
    #           O1 on time, O6 exactly on time, O4 cancelled, O5 not yet due, O8 no promise
    assert rep["orders"]["missed_delivery_promise"] == 3
    # activation: O2 (success after promise), O3 (failed only), O6 (pending) -> 3
    #           O1 in time, O4 cancelled, O5 not due, O7/O8 no promise
    assert rep["orders"]["missed_activation_promise"] == 3


def test_promise_due_exactly_at_t_counts(launch):
    _, rep = launch(promise_launch(), as_of="2016-10-21 18:00")
    # at 18:00 the delivery promise of O1,O2,O3,O6,O7 is due; O1 (17:00) and O6 (18:00) delivered
    assert rep["orders"]["missed_delivery_promise"] == 3
    assert rep["orders"]["missed_activation_promise"] == 0
    _, before = launch(promise_launch(), as_of="2016-10-21 17:59:59")
    assert before["orders"]["missed_delivery_promise"] == 0


# -- activations at T --------------------------------------------------------------------------

def activation_launch():
    rows = [
        ("A1", "O1", "2016-10-21 10:00", "success", "2016-10-21 10:05", ""),
        ("A2", "O1", "2016-10-21 10:00", "failed", "2016-10-21 10:10", "E-ICCID"),
        ("A3", "O2", "2016-10-21 10:00", "failed", "2016-10-21 10:20", "E-ICCID"),
        ("A4", "O2", "2016-10-21 10:00", "failed", "2016-10-21 10:30", "E-TIMEOUT"),
        ("A5", "O3", "2016-10-21 10:00", "success", "2016-10-21 11:30", ""),   # finished after T: pending at T
        ("A6", "O3", "2016-10-21 10:50", "pending", "", ""),
        ("A7", "O4", "2016-10-21 11:10", "success", "2016-10-21 11:15", ""),   # requested after T
        ("A8", "O99", "2016-10-21 10:00", "failed", "2016-10-21 10:40", "E-ICCID"),  # orphan attempt counts
    ]
    return {
        "orders/o.csv": ORDERS + "".join(f"O{i},C{i},web,IP7,Seoul,2016-10-07 10:00,,\n" for i in range(1, 5)),
        "activations/a.csv": ACT + "".join(f"{a},{o},auto,{r},{res},{f},{e}\n" for a, o, r, res, f, e in rows),
    }


def test_activations_at_t(launch):
    _, rep = launch(activation_launch(), as_of="2016-10-21 11:00")
    act = rep["activations"]
    # requested <= 11:00: A1-A6, A8 = 7; succeeded A1; failed A2 A3 A4 A8; pending A5 A6
    assert {k: act[k] for k in ("attempts", "succeeded", "failed", "pending")} == {
        "attempts": 7, "succeeded": 1, "failed": 4, "pending": 2}
    assert act["failure_rate"] == pytest.approx(4 / 5)
    assert act["failed_by_code"] == {"E-ICCID": 3, "E-TIMEOUT": 1}
    assert list(act["failed_by_code"]) == ["E-ICCID", "E-TIMEOUT"]  # most failures first


def test_activations_before_any_finish_have_null_failure_rate(launch):
    _, rep = launch(activation_launch(), as_of="2016-10-21 10:01")
    act = rep["activations"]
    assert (act["attempts"], act["succeeded"], act["failed"], act["pending"]) == (6, 0, 0, 6)  # A1-A5 and A8 requested at 10:00
    assert act["failure_rate"] is None
    assert act["failed_by_code"] == {}


def test_timeline_keeps_current_rows_first_by_order(open_module_launch):
    """stage_timeline as stored (queries/load/order_facts.sql): each order's current row
    (to_at infinity) first, sorted by order_id, then the rows that ended; the step's scratch
    table and view are gone once it is built (looked for on the connection that ran the script:
    temp objects are per connection)."""
    store = open_module_launch(scenario_files())
    cur = store.cursor()
    try:
        rows = cur.execute("SELECT order_id, to_at = 'infinity'::TIMESTAMPTZ FROM stage_timeline ORDER BY rowid").fetchall()
        cur.execute(sql.load("load/order_facts"))  # the same derived tables again, on this connection
        scratch = cur.execute("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'stage_timeline%'"
                              " UNION ALL SELECT view_name FROM duckdb_views() WHERE view_name LIKE 'stage_timeline%'").fetchall()
    finally:
        cur.close()
    n = len(SCENARIOS)
    assert [order for order, _ in rows[:n]] == sorted(SCENARIOS)
    assert all(current for _, current in rows[:n]) and not any(current for _, current in rows[n:])
    assert len(rows) > n  # the ended rows follow (every scenario has a moment after -infinity)
    assert scratch == [("stage_timeline",)]
