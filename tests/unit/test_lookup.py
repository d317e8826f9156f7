"""Order lookup engine on a small hand-written launch; every expected value worked out by hand.

The moment T is 2016-10-21 12:00 (Asia/Seoul) unless a test says otherwise.
"""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from launchboard import lookup
from launchboard.loader import open_store

SEOUL = ZoneInfo("Asia/Seoul")
T = datetime(2016, 10, 21, 12, 0, tzinfo=SEOUL)

LAUNCH = """\
[launch]
name = "lookup test"
timezone = "Asia/Seoul"
[templates.DELIVERY_DELAYED]
claims = "not_delivered"
[templates.ACTIVATION_DONE]
claims = "activated"
"""

ORDERS = """\
order_id,customer_id,channel,sku,region,ordered_at,model,phone,priority,allocated_at,cancelled_at,promised_delivery_by,promised_activation_by
O1,C1,web,IP7-128-JBK,Seoul,2016-10-07 09:00,iPhone 7 128GB Jet Black,010-1111-2222,false,2016-10-20 10:00,,2016-10-21 18:00,2016-10-21 20:00
O2,C1,app,IP7-32-BLK,Busan,2016-10-07 09:30,iPhone 7 32GB Black,010-1111-2222,false,,,2016-10-21 11:00,
O3,C2,web,IP7-128-JBK,Seoul,2016-10-07 09:10,iPhone 7 128GB Jet Black,01033332222,,,,,
O4,C3,store,IP7-128-JBK,Busan,2016-10-07 09:05,iPhone 7 128GB Jet Black,010-4444-2222,,,,,
O5,C4,web,IP7-128-JBK,Seoul,2016-10-07 08:00,iPhone 7 128GB Jet Black,010-5555-9999,,,2016-10-08 10:00,,
O6,C5,web,IP7-128-JBK,Seoul,2016-10-07 09:20,iPhone 7 128GB Jet Black,010-5555-8888,,2016-10-21 11:00,,,
O7,C5,web,IP7-128-JBK,Seoul,2016-10-21 13:00,iPhone 7 128GB Jet Black,010-5555-8888,,,,,
O8,C6,web,IP7-32-BLK,Seoul,2016-10-07 10:00,iPhone 7 32GB Black,010-6666-7777,,2016-10-19 09:00,,2016-10-20 18:00,2016-10-20 20:00
O9,C7,web,IP7-32-BLK,Seoul,2016-10-07 07:00,iPhone 7 32GB Black,010-7777-1234,,2016-10-19 08:00,,,
"""

SHIPMENTS = """\
event_id,order_id,courier,event,event_at,hub,tracking_no
E1,O1,CJ,packed,2016-10-20 15:00,Seoul HUB,T1
E2,O1,CJ,picked_up,2016-10-20 18:00,Seoul HUB,T1
E3,O1,CJ,at_hub,2016-10-21 08:00,Daejeon HUB,T1
E4,O1,CJ,out_for_delivery,2016-10-21 13:00,Seoul HUB,T1
E5,O8,CJ,packed,2016-10-19 12:00,Seoul HUB,T8
E6,O8,CJ,delivered,2016-10-20 17:00,Seoul HUB,T8
E7,O9,Hanjin,delivered,2016-10-20 12:00,,T9
E9,O99,CJ,packed,2016-10-20 12:00,,T99
"""

ACTIVATIONS = """\
attempt_id,order_id,requested_via,requested_at,result,finished_at,error_code
A1,O8,auto,2016-10-20 17:30,failed,2016-10-20 17:31,E-201
A2,O8,ars,2016-10-21 11:50,pending,,
A3,O9,ars,2016-10-21 10:00,success,2016-10-21 10:30,
"""

MESSAGES = """\
message_id,customer_id,template,sent_at,status,order_id,batch_id,corrects_batch_id,error_code
M1,C1,DELIVERY_DELAYED,2016-10-21 09:00,delivered,O1,B1,,
M2,C6,DELIVERY_DELAYED,2016-10-21 09:00,delivered,O8,B1,,
M3,C6,CORRECTION,2016-10-21 10:00,delivered,O8,B2,B1,
M4,C1,ACTIVATION_DONE,2016-10-21 11:00,failed,O1,B3,,E-77
M5,C1,CORRECTION,2016-10-21 13:00,delivered,O1,B4,B3,
M6,C1,GENERIC,2016-10-21 11:30,delivered,,B5,,
M7,C1,GENERIC,2016-10-21 11:40,delivered,O2,B6,,
"""

CALLS = """\
call_id,queue,arrived_at,ended_at,outcome,customer_id,answered_at,agent_id,reason,resolution
K1,iphone,2016-10-21 10:00,2016-10-21 10:05,answered,C1,2016-10-21 10:02,AG1,delivery,no_info
K2,iphone,2016-10-21 11:00,2016-10-21 11:01,abandoned,C1,,,,
K3,iphone,2016-10-21 12:30,2016-10-21 12:40,answered,C1,2016-10-21 12:31,AG2,delivery,resolved
K4,iphone,2016-10-21 11:10,2016-10-21 11:20,answered,C6,2016-10-21 11:10:30,AG1,activation,resolved
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = tmp_path_factory.mktemp("lookup_launch")
    (root / "launch.toml").write_text(LAUNCH)
    for table, text in (("orders", ORDERS), ("shipments", SHIPMENTS), ("activations", ACTIVATIONS),
                        ("messages", MESSAGES), ("calls", CALLS)):
        (root / table).mkdir()
        (root / table / f"{table}_001.csv").write_text(text)
    s = open_store(root)
    yield s
    s.close()


@pytest.fixture()
def cur(store):
    c = store.cursor()
    yield c
    c.close()


def ids(rows):
    return [r["order_id"] for r in rows]


# -- search ---------------------------------------------------------------------------------
def test_find_by_order_id(cur):
    rows = lookup.find(cur, "order", " O3 ", T)
    assert ids(rows) == ["O3"]
    assert rows[0]["customer_id"] == "C2"
    assert rows[0]["phone"] == "010-****-2222"  # stored without dashes, shown masked


def test_find_by_customer_id_lists_all_their_orders(cur):
    rows = lookup.find(cur, "customer", "C1", T)
    assert ids(rows) == ["O1", "O2"]
    assert [r["region"] for r in rows] == ["Seoul", "Busan"]


def test_order_not_yet_placed_at_t_is_not_found(cur):
    assert lookup.find(cur, "order", "O7", T) == []
    assert ids(lookup.find(cur, "customer", "C5", T)) == ["O6"]
    assert ids(lookup.find(cur, "customer", "C5", datetime(2016, 10, 21, 13, 0, tzinfo=SEOUL))) == ["O6", "O7"]


def test_find_by_phone_last4_narrowed_by_region_and_sku(cur):
    assert ids(lookup.find(cur, "phone", "2222", T)) == ["O1", "O2", "O3", "O4"]
    assert ids(lookup.find(cur, "phone", "2222", T, region="Seoul")) == ["O1", "O3"]
    assert ids(lookup.find(cur, "phone", "2222", T, region="Busan")) == ["O2", "O4"]
    assert ids(lookup.find(cur, "phone", "2222", T, sku="IP7-32-BLK")) == ["O2"]
    assert ids(lookup.find(cur, "phone", "2222", T, region="Busan", sku="IP7-128-JBK")) == ["O4"]
    assert lookup.find(cur, "phone", "9998", T) == []


def test_phone_search_shows_only_masked_numbers(cur):
    rows = lookup.find(cur, "phone", "2222", T)
    assert {r["phone"] for r in rows} == {"010-****-2222"}


def test_phone_search_needs_four_digits(cur):
    with pytest.raises(ValueError, match="last four digits"):
        lookup.find(cur, "phone", "22", T)


def test_empty_query_finds_nothing(cur):
    assert lookup.find(cur, "order", "  ", T) == []


# -- the card -------------------------------------------------------------------------------
def test_card_stage_in_plain_words(store, cur):
    c = lookup.card(cur, "O1", T, store.config)
    assert c["stage"] == "in_transit"
    assert c["stage_text"] == "On its way with the courier"
    assert c["phone"] == "010-****-2222"
    assert lookup.card(cur, "O8", T, store.config)["stage"] == "activation_pending"
    assert lookup.card(cur, "O5", T, store.config)["stage_text"] == "Cancelled"
    assert lookup.card(cur, "O7", T, store.config) is None


def test_card_stage_follows_the_moment(store, cur):
    # O8 at 11:00: A1 failed at Oct 20 17:31, A2 not requested yet.
    c = lookup.card(cur, "O8", datetime(2016, 10, 21, 11, 0, tzinfo=SEOUL), store.config)
    assert c["stage"] == "activation_failed"


def test_timeline_order_and_contents(store, cur):
    tl = lookup.card(cur, "O1", T, store.config)["timeline"]
    got = [(t["at"].astimezone(SEOUL).strftime("%m-%d %H:%M"), t["source"], t["ref"]) for t in tl]
    assert got == [
        ("10-07 09:00", "order", "O1"),       # placed
        ("10-20 10:00", "order", "O1"),       # allocated
        ("10-20 15:00", "courier", "E1"),
        ("10-20 18:00", "courier", "E2"),
        ("10-21 08:00", "courier", "E3"),     # E4 (13:00) is after T
        ("10-21 09:00", "message", "M1"),
        ("10-21 10:00", "call", "K1"),
        ("10-21 11:00", "message", "M4"),     # same minute as K2: messages before calls
        ("10-21 11:00", "call", "K2"),
        ("10-21 11:30", "message", "M6"),     # to C1 naming no order; M7 names O2, M5/K3 after T
    ]
    assert tl[0]["what"] == "Order placed (web)"
    assert tl[4]["what"] == "Scanned at a hub" and "Daejeon HUB" in tl[4]["detail"]
    assert tl[6]["what"] == "Call (iphone): answered"
    assert "answered after 2 min wait" in tl[6]["detail"] and "resolution: no_info" in tl[6]["detail"]
    assert tl[8]["what"].startswith("Call (iphone): abandoned")
    assert "delivery report: failed (E-77)" in tl[7]["detail"]
    assert "names no order" in tl[9]["detail"]


def test_timeline_activation_attempts_with_error_codes(store, cur):
    tl = lookup.card(cur, "O8", T, store.config)["timeline"]
    acts = [(t["ref"], t["what"], t["detail"]) for t in tl if t["source"] == "activation"]
    assert acts == [
        ("A1", "Activation requested (auto)", ""),
        ("A1", "Activation failed", "error E-201"),
        ("A2", "Activation requested (ars)", "still pending at this moment"),
    ]
    calls = [t["ref"] for t in tl if t["source"] == "call"]
    assert calls == ["K4"]


def test_message_flags_contradicting_and_retracted(store, cur):
    def flags(order_id, at):
        tl = lookup.card(cur, order_id, at, store.config)["timeline"]
        return {t["ref"]: (t["contradicting"], t["retracted"]) for t in tl if t["source"] == "message"}

    # M1: O1 in transit at 09:00, 'not_delivered' holds; its batch B1 was corrected by M3 at 10:00.
    # M4: 'activated' while O1 in transit -> contradicting; its correction M5 comes only at 13:00.
    # M6: names no order: not checked.
    assert flags("O1", T) == {"M1": (False, True), "M4": (True, False), "M6": (False, False)}
    assert flags("O1", datetime(2016, 10, 21, 13, 0, tzinfo=SEOUL))["M4"] == (True, True)
    # Before the correction was sent, B1 was not retracted yet.
    assert flags("O1", datetime(2016, 10, 21, 9, 30, tzinfo=SEOUL)) == {"M1": (False, False)}
    # M2: 'not_delivered' to O8, which was then in activation_failed -> contradicting, and retracted.
    # M3 (the correction itself, template not in the catalog) is neither.
    assert flags("O8", T) == {"M2": (True, True), "M3": (False, False)}


def test_allocation_queue_position_and_estimate(store, cur):
    # Waiting for IP7-128-JBK at T: O4 (09:05), O3 (09:10). O1, O6 allocated; O5 cancelled; O7 not placed.
    o4 = lookup.card(cur, "O4", T, store.config)["outlook"]
    o3 = lookup.card(cur, "O3", T, store.config)["outlook"]
    assert (o4["queue_position"], o4["queue_waiting"]) == (1, 2)
    assert (o3["queue_position"], o3["queue_waiting"]) == (2, 2)
    # One allocation of the sku (O6 at 11:00) in the last 3 h: 1/3 per hour; #2 -> 6 h -> 18:00.
    assert o3["allocation"]["eta"] == datetime(2016, 10, 21, 18, 0, tzinfo=SEOUL)
    assert lookup.card(cur, "O1", T, store.config)["outlook"]["queue_position"] is None


def test_activation_estimate_at_current_pace(store, cur):
    # O9 activated at 10:30: 1 activation in the last 3 h. O8 is delivered, not activated and pending
    # at T: no estimate. At 11:00 (A2 not requested, A3 done) O8 is first in line: 1 / (1/3 h) = 3 h.
    c = lookup.card(cur, "O8", T, store.config)
    assert c["outlook"]["activation"] is None
    at11 = datetime(2016, 10, 21, 11, 0, tzinfo=SEOUL)
    c = lookup.card(cur, "O8", at11, store.config)
    assert c["outlook"]["activation"]["eta"] == datetime(2016, 10, 21, 14, 0, tzinfo=SEOUL)


def test_promise_status(store, cur):
    c8 = lookup.card(cur, "O8", T, store.config)
    assert c8["delivery_promise"].status == "on_time"  # delivered Oct 20 17:00, promised 18:00
    assert c8["activation_promise"].status == "late"  # promised Oct 20 20:00, not activated at T
    assert c8["activation_promise"].text.startswith("Late by 16 h 0 min so far")
    c2 = lookup.card(cur, "O2", T, store.config)
    assert c2["delivery_promise"].text.startswith("Late by 1 h 0 min so far")
    c1 = lookup.card(cur, "O1", T, store.config)
    assert c1["delivery_promise"].status == "due"
    assert c1["delivery_promise"].text == "Due by Oct 21 18:00 (in 6 h 0 min)"
    assert lookup.card(cur, "O3", T, store.config)["delivery_promise"].status == "none"


def test_answer_line_is_built_from_the_facts(store, cur):
    a1 = lookup.card(cur, "O1", T, store.config)["answer"]
    assert a1.startswith("Your phone is with the courier CJ: the last scan was 'scanned at a hub' "
                         "at Daejeon HUB on Oct 21 08:00.")
    assert "Please disregard our message of Oct 21 09:00: we withdrew it." in a1
    assert "Our message of Oct 21 11:00 did not match your order's status" in a1
    a3 = lookup.card(cur, "O3", T, store.config)["answer"]
    assert a3 == ("Your iPhone 7 128GB Jet Black order O3 is waiting for stock: you are number 2 of 2 in the "
                  "queue for this model. At the current pace a phone should be assigned to you around Oct 21 18:00.")
    a8 = lookup.card(cur, "O8", T, store.config)["answer"]
    assert a8.startswith("Your activation request of Oct 21 11:50 is still being processed. "
                         "We promised activation by Oct 20 20:00; it is 16 h 0 min late, and I apologise.")


def test_pace_rows(cur):
    by = {(r["field"], r["key"]): r for r in lookup.pace(cur, T)}
    # Live at T (not cancelled, ordered <= T) of IP7-128-JBK: O1, O3, O4, O6; waiting O3, O4; O6 allocated 11:00.
    assert (by["sku", "IP7-128-JBK"]["waiting"], by["sku", "IP7-128-JBK"]["allocations"]) == (2, 1)
    # Seoul: O1 and O6 allocated, not delivered; O8, O9 delivered before the window.
    assert (by["region", "Seoul"]["in_pipeline"], by["region", "Seoul"]["deliveries"]) == (2, 0)
    # Overall: O8 delivered and not activated; O9 activated at 10:30.
    assert (by["all", None]["awaiting_activation"], by["all", None]["activations"]) == (1, 1)


def test_delivery_line_position(store, cur):
    # Seoul, allocated and not delivered at T: O1 (Oct 20 10:00), then O6 (Oct 21 11:00).
    assert lookup.card(cur, "O1", T, store.config)["outlook"]["delivery"]["text"].startswith("1 in line for delivery in Seoul")
    assert lookup.card(cur, "O6", T, store.config)["outlook"]["delivery"]["text"].startswith("2 in line for delivery in Seoul")
