"""Spec 3b: messages and calls at T, on hand-written extracts (launch zone Asia/Seoul)."""
from __future__ import annotations

import pytest

from launchboard.timeutil import parse_moment

ORDERS = "order_id,customer_id,channel,sku,region,ordered_at,allocated_at\n"
SHIP = "event_id,order_id,courier,event,event_at\n"
ACT = "attempt_id,order_id,requested_via,requested_at,result,finished_at,error_code\n"
MSG = "message_id,customer_id,template,sent_at,status,order_id,batch_id,corrects_batch_id,error_code\n"
CALLS = "call_id,queue,arrived_at,ended_at,outcome,customer_id,answered_at,resolution\n"

CATALOG = """
[templates.DELIVERY_DELAYED]
claims = "not_delivered"
[templates.DELIVERED_THANKS]
claims = "delivered"
[templates.ACTIVATE_NOW]
claims = "not_activated"
[templates.WELCOME_ACTIVATED]
claims = "activated"
[templates.STOCK_SECURED]
claims = "allocated"
[templates.SORRY]
[templates.ACTIVATION_AUTO_BY_DEADLINE]
conflicts_with = ["ACTIVATION_CALL_ARS"]
[templates.ACTIVATION_CALL_ARS]
"""


def msg(mid, template, sent_at, order_id="", customer="C", status="delivered", batch="", corrects="", code=""):
    return f"{mid},{customer},{template},{sent_at},{status},{order_id},{batch},{corrects},{code}\n"


# -- contradicting_state -----------------------------------------------------------------------

# Stages at 2016-10-21 15:00: OR reserved, OA allocated, OI in_transit, OD delivered,
# ORT returned, OP activation_pending, OF activation_failed, OX activated.
STATE_FILES = {
    "orders/o.csv": ORDERS + "".join(
        f"{o},C-{o},web,IP7,Seoul,2016-10-07 10:00,{'' if o == 'OR' else '2016-10-08 09:00'}\n"
        for o in ("OR", "OA", "OI", "OD", "ORT", "OP", "OF", "OX")),
    "shipments/s.csv": SHIP
    + "E1,OI,CJ,picked_up,2016-10-20 12:00\n"
    + "".join(f"E-{o},{o},CJ,delivered,2016-10-21 10:00\n" for o in ("OD", "ORT", "OP", "OF", "OX"))
    + "E2,ORT,CJ,returned,2016-10-21 14:00\n",
    "activations/a.csv": ACT
    + "A1,OP,auto,2016-10-21 12:00,pending,,\n"
    + "A2,OF,auto,2016-10-21 12:00,failed,2016-10-21 12:10,E-ICCID\n"
    + "A3,OX,auto,2016-10-21 12:00,success,2016-10-21 12:05,\n",
}
CLAIM_MESSAGES = [
    # id, template, order, sent_at, contradicting?
    ("M01", "DELIVERY_DELAYED", "OD", "2016-10-21 15:00", True),
    ("M02", "DELIVERY_DELAYED", "ORT", "2016-10-21 15:00", True),
    ("M03", "DELIVERY_DELAYED", "OP", "2016-10-21 15:00", True),
    ("M04", "DELIVERY_DELAYED", "OI", "2016-10-21 15:00", False),
    ("M05", "DELIVERED_THANKS", "OI", "2016-10-21 15:00", True),
    ("M06", "DELIVERED_THANKS", "OD", "2016-10-21 15:00", False),
    ("M07", "DELIVERED_THANKS", "OF", "2016-10-21 15:00", False),
    ("M08", "DELIVERED_THANKS", "ORT", "2016-10-21 15:00", True),
    ("M09", "ACTIVATE_NOW", "OX", "2016-10-21 15:00", True),
    ("M10", "ACTIVATE_NOW", "OF", "2016-10-21 15:00", False),
    ("M11", "WELCOME_ACTIVATED", "OP", "2016-10-21 15:00", True),
    ("M12", "WELCOME_ACTIVATED", "OX", "2016-10-21 15:00", False),
    ("M13", "STOCK_SECURED", "OR", "2016-10-21 15:00", True),
    ("M14", "STOCK_SECURED", "OA", "2016-10-21 15:00", False),
    ("M15", "DELIVERY_DELAYED", "", "2016-10-21 15:00", False),       # no order_id: not checked
    ("M16", "DELIVERY_DELAYED", "O404", "2016-10-21 15:00", False),   # unknown order: not checked
    ("M17", "SORRY", "OD", "2016-10-21 15:00", False),                # catalog template without a claim
    ("M18", "NOT_IN_CATALOG", "OD", "2016-10-21 15:00", False),       # unknown template: no claim
    ("M19", "DELIVERY_DELAYED", "OD", "2016-10-21 09:59", False),     # stage at sent_at: not yet delivered
    ("M20", "DELIVERED_THANKS", "OD", "2016-10-21 10:00", False),     # delivered at exactly sent_at
    ("M21", "WELCOME_ACTIVATED", "OX", "2016-10-21 12:04:59", True),  # a second too early
    ("M22", "DELIVERY_DELAYED", "OD", "2016-10-21 16:00", True),      # sent after T: not counted at T
]


def test_contradicting_state_for_each_claim(launch, sql_rows):
    files = {**STATE_FILES, "messages/m.csv": MSG + "".join(
        msg(m, tpl, at, order_id=o) for m, tpl, o, at, _ in CLAIM_MESSAGES)}
    store, rep = launch(files, toml=CATALOG, as_of="2016-10-21 15:30")
    t = parse_moment("2016-10-21 15:30", store.config.tz)
    got = {r[0]: r[1] for r in sql_rows(store, "SELECT message_id, contradicting FROM lb_messages_at($t, $qs, $qe, [], [], [], [])",
                                        {"t": t, "qs": store.config.quiet_start, "qe": store.config.quiet_end})}
    assert got == {m: c for m, _, _, at, c in CLAIM_MESSAGES if m != "M22"}
    # M01 M02 M03 M05 M08 M09 M11 M13 M21
    assert rep["messages"]["contradicting_state"] == 9
    assert rep["messages"]["sent"] == 21
    assert rep["templates_missing_from_catalog"] == ["NOT_IN_CATALOG"]


# -- failed, quiet hours -----------------------------------------------------------------------

QUIET_MESSAGES = [
    # id, sent_at, quiet in the default window 21:00-08:00 Seoul?
    ("Q1", "2016-10-21 21:00", True),            # start inclusive
    ("Q2", "2016-10-21 20:59:59", False),
    ("Q3", "2016-10-22 08:00", False),           # end exclusive
    ("Q4", "2016-10-22 07:59:59", True),
    ("Q5", "2016-10-21T12:00:00Z", True),        # 21:00 in Seoul
    ("Q6", "2016-10-21T23:30:00+00:00", False),  # 08:30 in Seoul on the 22nd
    ("Q7", "2016-10-22 03:00+09:00", True),
    ("Q8", "2016-10-22 12:00", False),
]


def quiet_files():
    return {"messages/m.csv": MSG + "".join(msg(m, "SORRY", at) for m, at, _ in QUIET_MESSAGES)}


def test_quiet_hours_in_launch_local_time(launch):
    _, rep = launch(quiet_files(), as_of="2016-10-22 12:00")
    assert rep["messages"]["quiet_hours"] == 4   # Q1 Q4 Q5 Q7
    assert rep["messages"]["sent"] == 8
    _, early = launch(quiet_files(), as_of="2016-10-21 21:00")
    assert early["messages"]["quiet_hours"] == 2   # Q1 and Q5 (same instant); Q2 not quiet


def test_quiet_hours_window_and_zone_from_launch_toml(launch):
    toml = '[launch]\nquiet_hours = ["22:00", "07:00"]\n'
    _, rep = launch(quiet_files(), toml=toml, as_of="2016-10-22 12:00")
    assert rep["messages"]["quiet_hours"] == 1   # only Q7 (03:00) falls in 22:00-07:00
    toml = '[launch]\ntimezone = "UTC"\n'
    _, utc = launch(quiet_files(), toml=toml, as_of="2016-10-22 12:00")
    # read in UTC: Q1 21:00, Q2 20:59:59, Q3 08:00, Q4 07:59:59 (no offset: now UTC wall time),
    # Q5 12:00, Q6 23:30, Q7 18:00 (03:00+09:00), Q8 12:00 -> quiet: Q1 Q4 Q6
    assert utc["messages"]["quiet_hours"] == 3


def test_quiet_window_not_wrapping_midnight(launch):
    toml = '[launch]\nquiet_hours = ["00:00", "08:00"]\n'
    _, rep = launch(quiet_files(), toml=toml, as_of="2016-10-22 12:00")
    assert rep["messages"]["quiet_hours"] == 2   # Q4 (07:59:59), Q7 (03:00)


def test_failed_messages_by_code(launch):
    files = {"messages/m.csv": MSG
             + msg("F1", "SORRY", "2016-10-21 10:00", status="failed", code="SMS-404")
             + msg("F2", "SORRY", "2016-10-21 10:01", status="failed", code="SMS-404")
             + msg("F3", "SORRY", "2016-10-21 10:02", status="failed", code="SMS-500")
             + msg("F4", "SORRY", "2016-10-21 10:03", status="failed")
             + msg("F5", "SORRY", "2016-10-21 10:04", status="pending")
             + msg("F6", "SORRY", "2016-10-21 10:05", status="delivered")
             + msg("F7", "SORRY", "2016-10-21 13:00", status="failed", code="SMS-500")}  # after T
    _, rep = launch(files, as_of="2016-10-21 12:00")
    m = rep["messages"]
    assert (m["sent"], m["failed"]) == (6, 4)
    assert m["failed_by_code"] == {"SMS-404": 2, "(none)": 1, "SMS-500": 1}


# -- conflicting customers ---------------------------------------------------------------------

CONFLICTS = [
    ("CU1", "ACTIVATION_AUTO_BY_DEADLINE", "2016-10-20 10:00"),
    ("CU1", "ACTIVATION_CALL_ARS", "2016-10-22 10:00"),       # exactly 48 h later: in the window
    ("CU2", "ACTIVATION_AUTO_BY_DEADLINE", "2016-10-20 10:00"),
    ("CU2", "ACTIVATION_CALL_ARS", "2016-10-22 10:00:01"),    # 48 h + 1 s: outside
    ("CU3", "ACTIVATION_CALL_ARS", "2016-10-20 10:00"),       # symmetric: ARS first, then AUTO
    ("CU3", "ACTIVATION_AUTO_BY_DEADLINE", "2016-10-21 09:00"),
    ("CU4", "ACTIVATION_AUTO_BY_DEADLINE", "2016-10-21 10:00"),  # the same template twice
    ("CU4", "ACTIVATION_AUTO_BY_DEADLINE", "2016-10-21 11:00"),
    ("CU5", "ACTIVATION_AUTO_BY_DEADLINE", "2016-10-21 10:00"),  # conflict split across customers
    ("CU5b", "ACTIVATION_CALL_ARS", "2016-10-21 10:00"),
    ("CU6", "ACTIVATION_AUTO_BY_DEADLINE", "2016-10-22 11:00"),
    ("CU6", "ACTIVATION_CALL_ARS", "2016-10-22 13:00"),       # sent after T
    ("CU7", "ACTIVATION_AUTO_BY_DEADLINE", "2016-10-22 09:00"),  # three messages: one customer
    ("CU7", "ACTIVATION_CALL_ARS", "2016-10-22 09:30"),
    ("CU7", "ACTIVATION_CALL_ARS", "2016-10-22 10:00"),
]


def conflict_files():
    return {"messages/m.csv": MSG + "".join(msg(f"X{i}", tpl, at, customer=c) for i, (c, tpl, at) in enumerate(CONFLICTS))}


def test_conflicting_customers_window_edges_and_symmetry(launch):
    _, rep = launch(conflict_files(), toml=CATALOG, as_of="2016-10-22 12:00")
    assert rep["messages"]["conflicting_customers"] == 3   # CU1 CU3 CU7
    _, later = launch(conflict_files(), toml=CATALOG, as_of="2016-10-22 13:00")
    assert later["messages"]["conflicting_customers"] == 4   # + CU6


def test_conflict_window_from_launch_toml(launch):
    toml = CATALOG + "[messages]\nconflict_window_hours = 24\n"
    _, rep = launch(conflict_files(), toml=toml, as_of="2016-10-22 12:00")
    assert rep["messages"]["conflicting_customers"] == 2   # CU3 (23 h), CU7; CU1 (48 h) no longer


def test_conflict_declared_on_the_other_template_only(launch):
    toml = '[templates.ACTIVATION_CALL_ARS]\nconflicts_with = ["ACTIVATION_AUTO_BY_DEADLINE"]\n'
    _, rep = launch(conflict_files(), toml=toml, as_of="2016-10-22 12:00")
    assert rep["messages"]["conflicting_customers"] == 3


# -- retracted batches -------------------------------------------------------------------------

def test_retracted_batches(launch):
    files = {"messages/m.csv": MSG
             + msg("B1-1", "ACTIVATION_AUTO_BY_DEADLINE", "2016-10-21 21:00:00+09:00", customer="A", batch="B1")
             + msg("B1-2", "ACTIVATION_AUTO_BY_DEADLINE", "2016-10-21 12:00:30Z", customer="B", batch="B1")
             + msg("B1-3", "ACTIVATION_AUTO_BY_DEADLINE", "2016-10-21 21:01", customer="C", batch="B1")
             + msg("B2-1", "SORRY", "2016-10-21 10:00", customer="A", batch="B2")     # never corrected
             + msg("B3-1", "SORRY", "2016-10-21 11:00", customer="A", batch="B3")
             # corrections: batch B1-FIX, sent 22:30 and 23:00 Seoul; the first one counts
             + msg("F1", "ACTIVATION_CALL_ARS", "2016-10-21T13:30:00Z", customer="A", batch="B1-FIX", corrects="B1")
             + msg("F2", "ACTIVATION_CALL_ARS", "2016-10-21 23:00", customer="B", batch="B1-FIX", corrects="B1")
             + msg("F3", "SORRY", "2016-10-22 13:00", customer="A", corrects="B3")}    # after T
    _, rep = launch(files, as_of="2016-10-22 12:00")
    assert rep["messages"]["retracted_batches"] == [{
        "batch_id": "B1", "recipients": 3, "sent_at": "2016-10-21T21:00:00+09:00",
        "corrected_at": "2016-10-21T22:30:00+09:00", "hours_to_correction": 1.5}]
    _, later = launch(files, as_of="2016-10-22 14:00")
    assert [(b["batch_id"], b["recipients"], b["hours_to_correction"]) for b in later["messages"]["retracted_batches"]] == [
        ("B1", 3, 1.5), ("B3", 1, 26.0)]


# -- calls -------------------------------------------------------------------------------------

CALL_ROWS = [
    # id, arrived, ended, outcome, customer, answered, resolution
    ("K1", "2016-10-21 10:00:00", "2016-10-21 10:05", "answered", "CU1", "2016-10-21 10:00:20", "resolved"),  # wait 20
    ("K2", "2016-10-21 10:01:00", "2016-10-21 10:06", "answered", "CU1", "2016-10-21 10:01:21", "no_info"),   # wait 21
    ("K3", "2016-10-21 10:02:00", "2016-10-21 10:07", "answered", "", "2016-10-21 10:02:05", "no_info"),      # wait 5
    ("K4", "2016-10-21 10:10:00", "2016-10-21 10:12", "abandoned", "CU2", "", ""),
    ("K5", "2016-10-21 10:20:00", "2016-10-21 10:20", "rejected", "CU3", "", ""),
    ("K6", "2016-10-21 10:21:00", "2016-10-21 10:21", "rejected", "", "", ""),
    ("K7", "2016-10-21 10:22:00", "2016-10-21 10:25", "abandoned", "", "", ""),
    ("K8", "2016-10-21 10:30:00", "2016-10-21 10:40", "answered", "CU2", "2016-10-21 10:31:40", "transferred"),  # wait 100
    ("K9", "2016-10-21 11:50:00", "2016-10-21 12:10", "answered", "CU4", "2016-10-21 11:55:00", "resolved"),  # ends after T
    ("K10", "2016-10-21 11:59:00", "2016-10-21 11:59:59", "abandoned", "CU3", "", ""),
    ("K11", "2016-10-21 11:00:00", "2016-10-21 11:01", "abandoned", "CU4", "", ""),
]


def call_files():
    return {"calls/c.csv": CALLS + "".join(",".join((k, "iphone", a, e, o, c, ans, r)) + "\n"
                                          for k, a, e, o, c, ans, r in CALL_ROWS)}


def test_calls_at_t(launch):
    _, rep = launch(call_files(), as_of="2016-10-21 12:00")
    c = rep["calls"]
    # offered: every call ended <= 12:00 = all but K9 = 10
    assert (c["offered"], c["answered"], c["abandoned"], c["rejected"]) == (10, 4, 4, 2)
    assert c["service_level"] == pytest.approx(2 / 10)     # K1 (wait == 20 s counts) and K3
    assert c["abandon_rate"] == pytest.approx(4 / 10)
    assert c["rejected_rate"] == pytest.approx(2 / 10)
    assert c["asa_seconds"] == pytest.approx((20 + 21 + 5 + 100) / 4)
    assert c["no_info"] == 2                                 # K2 K3
    assert c["repeat_callers"] == 3                          # CU1 CU2 CU3; unknown callers ignored, CU4 once by T


def test_calls_service_level_threshold_from_launch_toml(launch):
    _, rep = launch(call_files(), toml="[calls]\nservice_level_seconds = 21\n", as_of="2016-10-21 12:00")
    assert rep["calls"]["service_level"] == pytest.approx(3 / 10)   # K2 (21 s) now within
    _, rep = launch(call_files(), as_of="2016-10-21 12:10")
    assert rep["calls"]["offered"] == 11 and rep["calls"]["repeat_callers"] == 4


def test_calls_without_answers_have_null_asa_and_rates_only_when_offered(launch):
    files = {"calls/c.csv": CALLS + "K1,iphone,2016-10-21 10:00,2016-10-21 10:01,abandoned,,,\n"}
    _, rep = launch(files, as_of="2016-10-21 12:00")
    assert rep["calls"]["service_level"] == 0.0 and rep["calls"]["abandon_rate"] == 1.0
    assert rep["calls"]["asa_seconds"] is None
    _, before = launch(files, as_of="2016-10-21 10:00:30")   # arrived but not ended: not offered yet
    assert before["calls"]["offered"] == 0
    assert before["calls"]["service_level"] is None and before["calls"]["abandon_rate"] is None
