"""Spec 3b alerts: each kind raised and not raised, at the edges of its rule and thresholds."""
from __future__ import annotations

import re

from launchboard import alerts, report
from launchboard.alerts import ALERT_KINDS
from launchboard.metrics import Params, Scope
from launchboard.timeutil import parse_moment

ORDERS = "order_id,customer_id,channel,sku,region,ordered_at,allocated_at,cancelled_at,promised_delivery_by,promised_activation_by\n"
SHIP = "event_id,order_id,courier,event,event_at,hub\n"
ACT = "attempt_id,order_id,requested_via,requested_at,result,finished_at,error_code\n"
MSG = "message_id,customer_id,template,sent_at,status,order_id,batch_id,corrects_batch_id\n"
CALLS = "call_id,queue,arrived_at,ended_at,outcome,answered_at\n"


def order(oid, allocated="", cancelled="", delivery_by="", activation_by=""):
    return f"{oid},C-{oid},web,IP7,Seoul,2016-10-07 10:00,{allocated},{cancelled},{delivery_by},{activation_by}\n"


def alerts_at(store, when: str, scope: Scope = Scope()) -> dict[tuple[str, str | None], int]:
    """{(kind, subject): count} of the alerts raised at `when` within `scope`."""
    cur = store.cursor()
    try:
        raised = alerts.alerts(cur, Params(parse_moment(when, store.config.tz), store.config, scope))
    finally:
        cur.close()
    assert all(a["kind"] in ALERT_KINDS for a in raised)
    return {(a["kind"], a["subject"]): a["count"] for a in raised}


# -- promises ----------------------------------------------------------------------------------

def promise_files():
    return {
        "orders/o.csv": ORDERS
        + order("P1", delivery_by="2016-10-21 18:00", activation_by="2016-10-21 20:00")  # both late, then done
        + order("P2", delivery_by="2016-10-21 18:00", activation_by="2016-10-21 20:00")  # never delivered/activated
        + order("P3", cancelled="2016-10-21 12:00", delivery_by="2016-10-21 18:00", activation_by="2016-10-21 20:00")
        + order("P4", delivery_by="2016-10-23 18:00", activation_by="2016-10-23 20:00"),  # not due
        "shipments/s.csv": SHIP + "E1,P1,CJ,delivered,2016-10-21 19:00,\n",
        "activations/a.csv": ACT + "A1,P1,auto,2016-10-21 20:30,success,2016-10-21 21:00,\n"
                                   "A2,P2,auto,2016-10-21 19:00,failed,2016-10-21 19:10,E1\n",
    }


def test_promise_breaches(open_launch):
    store = open_launch(promise_files())
    assert alerts_at(store, "2016-10-21 17:59:59") == {}
    # 18:00: P1 and P2 due and not delivered (P3 cancelled, P4 not due)
    assert alerts_at(store, "2016-10-21 18:00") == {("delivery_promise_breach", None): 2}
    # 20:00: P1 delivered at 19:00 -> no longer a breach; activation due for P1, P2, neither activated
    assert alerts_at(store, "2016-10-21 20:00") == {("delivery_promise_breach", None): 1,
                                                    ("activation_promise_breach", None): 2}
    # 21:00: P1 activated; P2 still neither (a failed attempt is not an activation)
    assert alerts_at(store, "2016-10-21 21:00") == {("delivery_promise_breach", None): 1,
                                                    ("activation_promise_breach", None): 1}
    # the figure keeps counting P1's missed promises; the alert is about the state at T
    rep = report.build(store, parse_moment("2016-10-22 00:00", store.config.tz))
    assert (rep["orders"]["missed_delivery_promise"], rep["orders"]["missed_activation_promise"]) == (2, 2)
    breach = next(a for a in rep["alerts"] if a["kind"] == "delivery_promise_breach")
    assert breach["subject"] is None and breach["severity"] == "critical"
    assert breach["since"] == "2016-10-21T18:00:00+09:00"


def test_alert_messages_group_thousands(open_launch):
    # 1,200 orders due at 18:00, none delivered: the message reads like the page's other numbers
    due = "".join(order(f"Q{i:04d}", delivery_by="2016-10-21 18:00") for i in range(1200))
    store = open_launch({"orders/o.csv": ORDERS + due})
    cur = store.cursor()
    try:
        raised = alerts.alerts(cur, Params(parse_moment("2016-10-21 18:00", store.config.tz), store.config))
    finally:
        cur.close()
    assert [(a["kind"], a["count"], a["message"]) for a in raised] == [
        ("delivery_promise_breach", 1200, "1,200 orders are past their delivery promise and not delivered")]


# -- activation failure spike and call centre overload (one timeline) --------------------------

def rate_files():
    # attempts: failed 11:30, 11:31; 18 successes 11:32..11:49; failed 12:00:30
    # (orphan attempts of order O404: they count like any other when no filter is set)
    act = ["F1,O404,auto,2016-10-21 11:00,failed,2016-10-21 11:30,E1",
           "F2,O404,auto,2016-10-21 11:00,failed,2016-10-21 11:31,E1"]
    act += [f"S{m},O404,auto,2016-10-21 11:00,success,2016-10-21 11:{m:02d}," for m in range(32, 50)]
    act += ["F3,O404,auto,2016-10-21 11:00,failed,2016-10-21 12:00:30,E1",
            "PX,O404,auto,2016-10-21 11:00,pending,,"]  # pending attempts never count
    # calls ended: abandoned 11:30, rejected 11:31, abandoned 11:32, rejected 11:33; 16 answered 11:34..11:49;
    # rejected 12:00:30
    calls = [f"L{m},iphone,2016-10-21 11:{m - 1:02d},2016-10-21 11:{m:02d},{o}," for m, o in
             ((30, "abandoned"), (31, "rejected"), (32, "abandoned"), (33, "rejected"))]
    calls += [f"K{m},iphone,2016-10-21 11:{m - 1:02d},2016-10-21 11:{m:02d},answered,2016-10-21 11:{m - 1:02d}:10"
              for m in range(34, 50)]
    calls += ["L99,iphone,2016-10-21 12:00,2016-10-21 12:00:30,rejected,"]
    return {"activations/a.csv": ACT + "\n".join(act) + "\n", "calls/c.csv": CALLS + "\n".join(calls) + "\n"}


def test_failure_spike_and_call_overload_edges(open_launch):
    store = open_launch(rate_files())
    # 11:45: 16 attempts (2 failed, 12.5 %) and 16 calls (4 lost): below min_attempts / min_calls (20)
    assert alerts_at(store, "2016-10-21 11:45") == {}
    # 12:00: 20 attempts, 2 failed = 0.10 (not > 0.10); 20 calls, 4 lost = 0.20 (not > 0.20)
    assert alerts_at(store, "2016-10-21 12:00") == {}
    # 12:00:30: 21 attempts, 3 failed (14 %); 21 calls, 5 lost (24 %)
    assert alerts_at(store, "2016-10-21 12:00:30") == {("activation_failure_spike", None): 3,
                                                      ("call_center_overload", None): 5}
    # 12:29:59: the window (11:29:59, 12:29:59] still holds everything
    assert alerts_at(store, "2016-10-21 12:29:59") == {("activation_failure_spike", None): 3,
                                                      ("call_center_overload", None): 5}
    # 12:30: the window (11:30, 12:30] leaves out 11:30 (start exclusive): 20 with 2 failed, 20 with 4 lost
    assert alerts_at(store, "2016-10-21 12:30") == {}


def test_rate_thresholds_from_launch_toml(open_launch):
    toml = "[alerts]\nmin_attempts = 16\nmin_calls = 16\nactivation_failure_rate = 0.125\ncall_loss_rate = 0.24\n"
    store = open_launch(rate_files(), toml=toml)
    # 11:45: 16 attempts, 2 failed = 0.125 (not > 0.125); 16 calls, 4 lost = 0.25 > 0.24
    assert alerts_at(store, "2016-10-21 11:45") == {("call_center_overload", None): 4}
    store = open_launch(rate_files(), toml="[alerts]\nwindow_minutes = 10\nmin_attempts = 2\nmin_calls = 2\n")
    # 12:00:30, window (11:50:30, 12:00:30]: 1 attempt (F3) and 1 call (L99): below the minimum of 2
    assert alerts_at(store, "2016-10-21 12:00:30") == {}
    # 11:39, window (11:29, 11:39]: attempts F1 F2 + S32-S39 (2 of 10 failed, 20 %),
    # calls L30-L33 + K34-K39 (4 of 10 lost, 40 %)
    assert alerts_at(store, "2016-10-21 11:39") == {("activation_failure_spike", None): 2,
                                                    ("call_center_overload", None): 4}
    # 11:40, window (11:30, 11:40]: F2 + S32-S40 = 1 of 10 failed: exactly 0.10, not raised;
    # calls L31-L33 + K34-K40 = 3 of 10 lost (30 %)
    assert alerts_at(store, "2016-10-21 11:40") == {("call_center_overload", None): 3}


# -- messages: quiet hours, contradicting, retracted batch within 24 h -------------------------

def message_files():
    return {
        "orders/o.csv": ORDERS + order("OD"),
        "shipments/s.csv": SHIP + "E1,OD,CJ,delivered,2016-10-21 10:00,\n",
        "messages/m.csv": MSG
        + "MQ,C1,SORRY,2016-10-21 22:00,delivered,,,\n"                      # quiet hours
        + "MC,C-OD,DELIVERY_DELAYED,2016-10-21 15:00,delivered,OD,,\n"        # contradicting (delivered 10:00)
        + "MB,C2,SORRY,2016-10-21 14:00,delivered,,B1,\n"
        + "MR,C2,SORRY,2016-10-21 16:00,delivered,,B2,B1\n",                  # correction of B1
    }


def test_message_alerts_within_24_hours(open_launch):
    store = open_launch(message_files(), toml='[templates.DELIVERY_DELAYED]\nclaims = "not_delivered"\n')
    assert alerts_at(store, "2016-10-21 14:59") == {}
    assert alerts_at(store, "2016-10-22 12:00") == {("quiet_hours_messages", None): 1,
                                                    ("contradicting_messages", None): 1,
                                                    ("retracted_batch", None): 1}
    # window (T - 24 h, T]: a message sent exactly 24 h before T is out
    assert alerts_at(store, "2016-10-22 15:00") == {("quiet_hours_messages", None): 1,
                                                    ("retracted_batch", None): 1}
    assert alerts_at(store, "2016-10-22 16:00") == {("quiet_hours_messages", None): 1}
    assert alerts_at(store, "2016-10-22 21:59:59") == {("quiet_hours_messages", None): 1}
    assert alerts_at(store, "2016-10-22 22:00") == {}


def test_no_claims_no_contradicting_alert(open_launch):
    store = open_launch(message_files())   # no catalog: DELIVERY_DELAYED makes no claim
    assert alerts_at(store, "2016-10-22 12:00") == {("quiet_hours_messages", None): 1, ("retracted_batch", None): 1}


# -- stalled stage -----------------------------------------------------------------------------

def stalled_stage_files():
    orders = [order(f"A{i}", allocated="2016-10-21 10:00") for i in range(3)]          # allocated
    orders += [order(f"P{i}", allocated="2016-10-21 09:00") for i in range(2)]         # packed, only 2
    orders += [order(f"I{i}", allocated="2016-10-21 09:00") for i in range(4)]         # in transit; I3 delivered
    orders += [order(f"X{i}") for i in range(3)]                                         # activation pending
    orders += [order(f"R{i}") for i in range(5)]                                         # reserved: never watched
    ship = [f"EP{i},P{i},CJ,packed,2016-10-21 10:00,\n" for i in range(2)]
    ship += [f"EI{i},I{i},CJ,picked_up,2016-10-21 10:00,\n" for i in range(4)]
    ship += ["ED3,I3,CJ,delivered,2016-10-21 11:30,\n"]
    act = [f"AX{i},X{i},auto,2016-10-21 11:30,pending,,\n" for i in range(3)]
    return {"orders/o.csv": ORDERS + "".join(orders), "shipments/s.csv": SHIP + "".join(ship),
            "activations/a.csv": ACT + "".join(act)}


def test_stalled_stages_with_thresholds_from_toml(open_launch):
    store = open_launch(stalled_stage_files(), toml="[alerts]\nstall_min_orders = 3\nstall_minutes = 60\n")
    # T 12:00, T - 60 min = 11:00.
    # allocated: 3 now, the same 3 at 11:00 -> raised.  packed: 2 < 3.
    # in_transit: 3 now (I3 delivered 11:30), 4 at 11:00 of which I3 moved -> not raised.
    # activation_pending: 3 now, none at 11:00 (they were reserved) -> not raised.
    assert alerts_at(store, "2016-10-21 12:00") == {("stalled_stage", "allocated"): 3}
    # T 12:30 (11:30): in_transit I0-I2 at 11:30 and now, unmoved; X0-X2 pending since 11:30
    assert alerts_at(store, "2016-10-21 12:30") == {("stalled_stage", "allocated"): 3,
                                                    ("stalled_stage", "in_transit"): 3,
                                                    ("stalled_stage", "activation_pending"): 3}
    # T 10:59:59 (09:59:59): allocated now = A0-A2 (3); the 6 allocated at 09:59:59 (P*, I*) all moved
    # on at 10:00 -> not raised
    assert alerts_at(store, "2016-10-21 10:59:59") == {}


def test_stalled_stage_default_threshold_is_50_orders(open_launch):
    files = {"orders/o.csv": ORDERS + "".join(order(f"A{i}", allocated="2016-10-21 08:00") for i in range(49))
             + order("A49", allocated="2016-10-21 11:00")}
    store = open_launch(files)
    assert alerts_at(store, "2016-10-21 10:59") == {}                                 # 49 allocated
    assert alerts_at(store, "2016-10-21 11:00") == {("stalled_stage", "allocated"): 50}
    rep = report.build(store, parse_moment("2016-10-21 11:00", store.config.tz))
    (alert,) = rep["alerts"]
    assert (alert["kind"], alert["subject"], alert["severity"]) == ("stalled_stage", "allocated", "critical")


# -- stalled hub -------------------------------------------------------------------------------

def hub_files():
    orders, ship = [], []
    for hub, n in (("Daejeon HUB", 20), ("Okcheon HUB", 19), ("Gunpo HUB", 21)):
        for i in range(n):
            oid = f"{hub[:2]}{i}"
            orders.append(order(oid, allocated="2016-10-21 07:00"))
            ship.append(f"E{oid}a,{oid},CJ,picked_up,2016-10-21 08:00,\n")
            ship.append(f"E{oid}b,{oid},CJ,at_hub,2016-10-21 09:00,{hub}\n")
    ship.append("EGu20c,Gu20,CJ,out_for_delivery,2016-10-21 11:30,\n")   # one Gunpo order moves on
    return {"orders/o.csv": ORDERS + "".join(orders), "shipments/s.csv": SHIP + "".join(ship)}


def test_stalled_hubs(open_launch):
    store = open_launch(hub_files())
    # 60 orders in transit since 08:00 and none moved to another stage: stalled_stage in_transit too.
    # 12:00 (10:00): Daejeon 20 held, all there at 10:00 -> raised; Okcheon 19 < 20; Gunpo: 20 held now,
    # but of the 21 there at 10:00 one moved (out_for_delivery 11:30) -> not raised
    assert alerts_at(store, "2016-10-21 12:00") == {("stalled_stage", "in_transit"): 60,
                                                    ("stalled_hub", "Daejeon HUB"): 20}
    # 11:29 (09:29): Gunpo still 21 held -> raised
    assert alerts_at(store, "2016-10-21 11:29") == {("stalled_stage", "in_transit"): 60,
                                                    ("stalled_hub", "Daejeon HUB"): 20,
                                                    ("stalled_hub", "Gunpo HUB"): 21}
    # 10:59:59 (08:59:59): at that moment the latest scan was picked_up, not at_hub -> no hub alert
    assert alerts_at(store, "2016-10-21 10:59:59") == {("stalled_stage", "in_transit"): 60}
    # 11:00 (09:00): the at_hub scan at exactly T - stall_minutes counts
    assert ("stalled_hub", "Daejeon HUB") in alerts_at(store, "2016-10-21 11:00")


def test_stalled_alerts_follow_the_filters(open_launch):
    """The stall alerts count only the orders within the filters. Gunpo's 21 orders are moved
    to region Gyeonggi; the 39 others stay in Seoul; every order's courier is CJ."""
    files = hub_files()
    files["orders/o.csv"] = re.sub(r"^(Gu\d+,C-Gu\d+,web,IP7,)Seoul", r"\1Gyeonggi", files["orders/o.csv"], flags=re.M)
    store = open_launch(files)
    everything = {("stalled_stage", "in_transit"): 60, ("stalled_hub", "Daejeon HUB"): 20,
                  ("stalled_hub", "Gunpo HUB"): 21}
    assert alerts_at(store, "2016-10-21 11:29") == everything
    assert alerts_at(store, "2016-10-21 11:29", Scope(couriers=("CJ",))) == everything
    assert alerts_at(store, "2016-10-21 11:29", Scope(couriers=("Hanjin",))) == {}
    # Gyeonggi: Gunpo's 21 held (>= 20); 21 in transit < stall_min_orders 50
    assert alerts_at(store, "2016-10-21 11:29", Scope(regions=("Gyeonggi",))) == {("stalled_hub", "Gunpo HUB"): 21}
    # Seoul: Daejeon's 20 held, Okcheon's 19 below 20; 39 in transit < 50
    assert alerts_at(store, "2016-10-21 11:29", Scope(regions=("Seoul",))) == {("stalled_hub", "Daejeon HUB"): 20}


def test_stalled_hub_threshold_from_toml(open_launch):
    store = open_launch(hub_files(), toml="[alerts]\nhub_stall_min_orders = 19\nstall_min_orders = 61\n")
    assert alerts_at(store, "2016-10-21 12:00") == {("stalled_hub", "Daejeon HUB"): 20,
                                                    ("stalled_hub", "Okcheon HUB"): 19}
