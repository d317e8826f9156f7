"""Messages page: runs on every kind of folder; tiles and retracted batches are the report's.

Hand-written launch (Asia/Seoul, quiet hours 21:00-08:00): batch B1 "DELIVERY_DELAYED" went
to C1, C2, C3 on 10-20 22:00 (O1 and O2 were already delivered: 2 contradictions), B4
"DELAY_CORRECTION" corrected B1 on 10-21 10:00 (12 h later); C1 also got the conflicting
pair AUTO_BY_DEADLINE / CALL_ARS; PROMO_X is not in the catalog. Live T = 10-21 10:30.
"""
from __future__ import annotations

from datetime import date, time

from launchboard import report
from launchboard.loader import open_store
from launchboard.metrics import Scope
from launchboard.timeutil import parse_moment
from app_support import tiles
from launch_files import make_launch as write

TOML = """[templates.DELIVERY_DELAYED]
claims = "not_delivered"
[templates.ACTIVATION_AUTO_BY_DEADLINE]
claims = "not_activated"
conflicts_with = ["ACTIVATION_CALL_ARS"]
[templates.ACTIVATION_CALL_ARS]
claims = "delivered"
[templates.DELAY_CORRECTION]
"""
ORDERS = """order_id,customer_id,channel,sku,region,ordered_at
O1,C1,sms,IP7-128-JBK,Seoul,2016-10-07 10:00
O2,C2,web,IP7-128-JBK,Busan,2016-10-07 10:05
O3,C3,sms,IP7-128-JBK,Seoul,2016-10-07 10:10
"""
SHIPMENTS = """event_id,order_id,courier,event,event_at
S1,O1,Post,delivered,2016-10-20 15:00
S2,O2,CJ,delivered,2016-10-20 16:00
S3,O3,Post,picked_up,2016-10-20 09:00
"""
MESSAGES = """message_id,customer_id,template,sent_at,status,order_id,batch_id,corrects_batch_id,error_code
M1,C1,DELIVERY_DELAYED,2016-10-20 22:00,delivered,O1,B1,,
M2,C2,DELIVERY_DELAYED,2016-10-20 22:00,failed,O2,B1,,E-SPAM
M3,C3,DELIVERY_DELAYED,2016-10-20 22:00,delivered,O3,B1,,
M4,C1,ACTIVATION_AUTO_BY_DEADLINE,2016-10-20 23:00,delivered,O1,B2,,
M5,C1,ACTIVATION_CALL_ARS,2016-10-21 07:00,delivered,O1,B3,,
M6,C2,ACTIVATION_CALL_ARS,2016-10-21 07:00,delivered,O2,B3,,
M8,C1,DELAY_CORRECTION,2016-10-21 10:00,delivered,O1,B4,B1,
M9,C4,PROMO_X,2016-10-21 10:30,delivered,,,,
M10,C2,DELAY_CORRECTION,2016-10-21 10:00,delivered,O2,B4,B1,
"""


def table(at, *columns: str, exact: bool = False):
    """The shown dataframe whose (first) columns are ``columns`` (AppTest does not expose their keys)."""
    return next(d.value for d in at.dataframe
                if list(d.value.columns if exact else d.value.columns[:len(columns)]) == list(columns))


def texts(at) -> str:
    return "\n".join(x.value for x in [*at.warning, *at.success, *at.info, *at.markdown])


def test_figures_retraction_and_filters(app_at, tmp_path):
    data = write(tmp_path, {"launch.toml": TOML, "orders/o.csv": ORDERS, "shipments/s.csv": SHIPMENTS,
                            "messages/m.csv": MESSAGES})
    at = app_at("messages", data)
    assert not at.exception
    t = tiles(at)
    assert (t["Sent"], t["Delivery failures"], t["Sent in quiet hours"]) == ("9", "1", "6")
    assert (t["Contradicting the order"], t["Customers with conflicting instructions"], t["Retracted batches"]) == \
        ("2", "1", "1")
    assert "Batch **B1** (DELIVERY_DELAYED) went to **3** recipients at 2016-10-20 22:00" in texts(at)
    assert "12.0 h later" in texts(at)
    assert table(at, "template", exact=True)["template"].tolist() == ["PROMO_X"]
    contra = table(at, "template", "claims")
    assert contra[["template", "stage_at_send", "messages", "example_messages"]].values.tolist() == [
        ["DELIVERY_DELAYED", "delivered", 2, "M1, M2"]]

    at.multiselect(key="f_region").set_value(["Busan"]).run()  # O2's messages only: M2, M6, M10
    assert not at.exception
    assert (tiles(at)["Sent"], tiles(at)["Sent in quiet hours"], tiles(at)["Retracted batches"]) == ("3", "2", "1")
    assert "went to **1** recipients" in texts(at)

    before = app_at("messages", data, state={"as_of_mode": "Moment", "as_of_date": date(2016, 10, 21),
                                             "as_of_time": time(9, 0)})
    assert not before.exception
    assert (tiles(before)["Sent"], tiles(before)["Retracted batches"]) == ("6", "0")
    assert "No batch has been corrected or retracted." in texts(before)


def test_sample_retracted_batch_is_the_reports(app_at, sample_dir):
    store = open_store(sample_dir)
    try:
        r = report.build(store)
        region = store.cursor().execute("SELECT min(region) FROM orders").fetchone()[0]
        r_region = report.build(store, None, Scope(regions=(region,)))
        r_moment = report.build(store, parse_moment("2016-10-20 12:00", store.config.tz))
    finally:
        store.close()
    batch = next(b for b in r["messages"]["retracted_batches"] if b["batch_id"] == "B-DELAY-1020")
    at = app_at("messages", sample_dir)
    assert not at.exception
    assert "Batch **B-DELAY-1020** " in texts(at)
    assert f"went to **{batch['recipients']:,}** recipients" in texts(at)
    shown = table(at, "batch_id", "recipients").set_index("batch_id")
    assert shown.loc["B-DELAY-1020", "recipients"] == batch["recipients"]
    assert tiles(at)["Sent"] == f"{r['messages']['sent']:,}"

    at.multiselect(key="f_region").set_value([region]).run()
    assert not at.exception
    assert tiles(at)["Sent"] == f"{r_region['messages']['sent']:,}" != f"{r['messages']['sent']:,}"

    at = app_at("messages", sample_dir, state={"as_of_mode": "Moment", "as_of_date": date(2016, 10, 20),
                                               "as_of_time": time(12, 0)})
    assert not at.exception
    assert tiles(at)["Sent"] == f"{r_moment['messages']['sent']:,}" != f"{r['messages']['sent']:,}"


def test_empty_folder(app_at, tmp_path):
    at = app_at("messages", tmp_path)
    assert not at.exception
    assert any("No data yet" in i.value for i in at.info)


def test_only_messages(app_at, tmp_path):
    # Without orders no message can be checked against a stage; nothing contradicts.
    at = app_at("messages", write(tmp_path, {"launch.toml": TOML, "messages/m.csv": MESSAGES}))
    assert not at.exception
    assert (tiles(at)["Sent"], tiles(at)["Contradicting the order"], tiles(at)["Retracted batches"]) == ("9", "0", "1")


def test_only_orders(app_at, tmp_path):
    at = app_at("messages", write(tmp_path, {"orders/o.csv": ORDERS}))
    assert not at.exception
    assert any("No message sent" in i.value for i in at.info)


# -- calls each batch caused -------------------------------------------------------------------------
# The launch above with calls: C1 calls at 10-20 22:30 (delivery) and 23:30 (activation, after B2 at
# 23:00: B2's), C3 at 22:40 (delivery), C2 at 10-21 07:30 (activation: B3's). The first call is at
# 22:30, so every baseline is the launch rate: at live T (10-21 10:30) 4 calls by C1..C3 over 3
# customers and 12 h = 1/9 per customer-hour. B1 reached C1 and C3 (C2's failed): 2 calls (22:30,
# 22:40) against 1/9 x 2 x 2 h = 0.444 (4.5x); of the 3 calls in its window (22:00, 00:00], K3 is
# B2's: a share of 2/3.
CALLS = """call_id,queue,arrived_at,answered_at,ended_at,outcome,customer_id,reason
K1,iphone,2016-10-20 22:30,2016-10-20 22:30:10,2016-10-20 22:35,answered,C1,delivery
K2,iphone,2016-10-20 22:40,,2016-10-20 22:41,abandoned,C3,delivery
K3,iphone,2016-10-20 23:30,2016-10-20 23:30:10,2016-10-20 23:35,answered,C1,activation
K4,ars,2016-10-21 07:30,,2016-10-21 07:30:05,rejected,C2,activation
"""


def launch_with_calls(tmp_path):
    return write(tmp_path, {"launch.toml": TOML, "orders/o.csv": ORDERS, "shipments/s.csv": SHIPMENTS,
                            "messages/m.csv": MESSAGES, "calls/c.csv": CALLS})


def test_a_link_selects_its_batch_and_shows_the_calls_it_caused(app_at, tmp_path):
    at = app_at("messages", launch_with_calls(tmp_path), query={"batch": "B1"})
    assert not at.exception
    assert at.selectbox(key="messages_batch").value == "B1"
    t = tiles(at)
    assert (t["Customers reached"], t["Calls within 2 h"], t["Baseline"], t["Excess calls"]) == ("2", "2", "0.4", "1.6")
    assert (t["x normal"], t["Share of calls"]) == ("4.5", "66.7%")
    assert at.query_params["batch"] == "B1"
    shown = next(d for d in at.dataframe if d.key is None and list(d.value.columns[:2]) == ["rank", "batch_id"]).value
    assert shown["batch_id"].tolist()[0] == "B1"  # most excess first
    # choosing another batch puts it in the URL
    at.selectbox(key="messages_batch").set_value("B3").run()
    assert not at.exception
    assert at.query_params["batch"] == "B3"
    assert tiles(at)["Calls within 2 h"] == "1"  # K4, C2 at 07:30


def test_a_link_to_an_unknown_batch_says_so(app_at, tmp_path):
    at = app_at("messages", launch_with_calls(tmp_path), query={"batch": "B9"})
    assert not at.exception
    assert "The link asks for batch **B9**, but no such batch had sent a message by 2016-10-21 10:30" in texts(at)
    assert at.selectbox(key="messages_batch").value == "B1"  # the most excess
    # B3 is not sent yet at 10-21 06:00: a link to it names the moment
    early = app_at("messages", launch_with_calls(tmp_path / "early"), query={"batch": "B3"},
                   state={"as_of_mode": "Moment", "as_of_date": date(2016, 10, 21), "as_of_time": time(6, 0)})
    assert not early.exception
    assert "The link asks for batch **B3**, but no such batch had sent a message by 2016-10-21 06:00" in texts(early)


def test_sample_delay_batch_calls_are_the_reports(app_at, sample_dir):
    store = open_store(sample_dir)
    try:
        impact = {b["batch_id"]: b for b in report.build(store)["messages"]["call_impact"]}
    finally:
        store.close()
    b = impact["B-DELAY-1020"]
    at = app_at("messages", sample_dir, query={"batch": "B-DELAY-1020"})
    assert not at.exception
    assert at.selectbox(key="messages_batch").value == "B-DELAY-1020"
    t = tiles(at)
    assert (t["Customers reached"], t["Calls within 2 h"]) == (f"{b['customers_reached']:,}", f"{b['calls']:,}")
    assert t["Excess calls"] == f"{b['excess']:,.1f}"
