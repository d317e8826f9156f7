"""Call centre page: runs on every kind of folder; its tiles are the report's numbers.

Hand-written calls (Asia/Seoul), service-level target 20 s:
  K1 C1 (Seoul) 10:00 answered after 10 s, K2 C1 10:10 answered after 30 s, K3 C2 (Busan)
  10:20 abandoned, K4 unknown 10:30 rejected, K5 C3 (Seoul) 10:40 answered after 5 s,
  K6 C9 (no order) 10:50 answered after 60 s, K7 C4 (Seoul) 10:55 answered after 15 s, ended 11:05.
At 11:00 (K7 still on the line): offered 6, within 20 s 2 -> 33.3%. Live (T = 11:05): 3/7 = 42.9%.
Region Busan at 11:00: only K3 -> offered 1, service level 0.0%.
"""
from __future__ import annotations

from datetime import date, time

from launchboard import report
from launchboard.loader import open_store
from launchboard.metrics import Scope
from launchboard.timeutil import parse_moment
from app_support import tiles
from launch_files import make_launch as write

ORDERS = """order_id,customer_id,channel,sku,region,ordered_at
O1,C1,sms,IP7-128-JBK,Seoul,2016-10-07 10:00
O2,C2,web,IP7-128-JBK,Busan,2016-10-07 10:05
O3,C3,sms,IP7-128-JBK,Seoul,2016-10-07 10:10
O4,C4,store,IP7-32-SLV,Seoul,2016-10-07 10:20
"""
CALLS = """call_id,queue,arrived_at,answered_at,ended_at,outcome,customer_id,agent_id,reason,resolution
K1,iphone,2016-10-21 10:00:00,2016-10-21 10:00:10,2016-10-21 10:05:10,answered,C1,G1,activation,no_info
K2,iphone,2016-10-21 10:10:00,2016-10-21 10:10:30,2016-10-21 10:13:30,answered,C1,G2,activation,resolved
K3,iphone,2016-10-21 10:20:00,,2016-10-21 10:21:00,abandoned,C2,,delivery,
K4,ars,2016-10-21 10:30:00,,2016-10-21 10:30:05,rejected,,,,
K5,iphone,2016-10-21 10:40:00,2016-10-21 10:40:05,2016-10-21 10:46:05,answered,C3,G1,delivery,resolved
K6,iphone,2016-10-21 10:50:00,2016-10-21 10:51:00,2016-10-21 10:59:00,answered,C9,G3,stock,resolved
K7,iphone,2016-10-21 10:55:00,2016-10-21 10:55:15,2016-10-21 11:05:00,answered,C4,G2,activation,resolved
"""
AT_11 = {"as_of_mode": "Moment", "as_of_date": date(2016, 10, 21), "as_of_time": time(11, 0)}


def test_service_level_is_the_reports_and_moves_with_as_of_and_filters(app_at, tmp_path):
    data = write(tmp_path, {"orders/o.csv": ORDERS, "calls/c.csv": CALLS})
    live = app_at("calls", data)
    assert not live.exception
    assert tiles(live)["Offered"] == "7" and tiles(live)["Service level"] == "42.9%"

    at = app_at("calls", data, state=AT_11)
    assert not at.exception
    t = tiles(at)
    assert (t["Offered"], t["Answered"], t["Abandoned"], t["Rejected"]) == ("6", "4", "1", "1")
    assert (t["Service level"], t["ASA"], t["No-info answers"], t["Repeat callers"]) == ("33.3%", "26 s", "1", "1")
    # Erlang window (60 min before 11:00): K2..K6 = 5 calls/h, handle (180+360+480)/3 = 340 s,
    # agents G1, G2, G3 answering.
    assert (t["Calls per hour"], t["Mean handle time"], t["Agents answering"]) == ("5", "340 s", "3")

    at.multiselect(key="f_region").set_value(["Busan"]).run()
    assert not at.exception
    assert (tiles(at)["Offered"], tiles(at)["Service level"]) == ("1", "0.0%")


def test_sample_service_level_equals_report(app_at, sample_dir):
    store = open_store(sample_dir)
    try:
        r = report.build(store)
        region = store.cursor().execute("SELECT min(region) FROM orders").fetchone()[0]
        moment = parse_moment("2016-10-21 20:00", store.config.tz)
        r_region = report.build(store, None, Scope(regions=(region,)))
        r_moment = report.build(store, moment)
    finally:
        store.close()
    at = app_at("calls", sample_dir)
    assert not at.exception
    assert tiles(at)["Service level"] == f"{r['calls']['service_level']:.1%}"
    assert tiles(at)["Offered"] == f"{r['calls']['offered']:,}"

    at.multiselect(key="f_region").set_value([region]).run()
    assert not at.exception
    assert tiles(at)["Offered"] == f"{r_region['calls']['offered']:,}" != f"{r['calls']['offered']:,}"

    at = app_at("calls", sample_dir, state={"as_of_mode": "Moment", "as_of_date": date(2016, 10, 21),
                                            "as_of_time": time(20, 0)})
    assert not at.exception
    assert tiles(at)["Offered"] == f"{r_moment['calls']['offered']:,}" != f"{r['calls']['offered']:,}"
    assert tiles(at)["Service level"] == f"{r_moment['calls']['service_level']:.1%}"


def test_empty_folder(app_at, tmp_path):
    at = app_at("calls", tmp_path)
    assert not at.exception
    assert any("No data yet" in i.value for i in at.info)


def test_only_calls(app_at, tmp_path):
    # Calls without any order: every caller's stage is unknown; the page still shows everything.
    at = app_at("calls", write(tmp_path, {"calls/c.csv": CALLS}))
    assert not at.exception
    assert tiles(at)["Offered"] == "7"


def test_only_orders(app_at, tmp_path):
    at = app_at("calls", write(tmp_path, {"orders/o.csv": ORDERS}))
    assert not at.exception
    assert any("No call has ended" in i.value for i in at.info)


# -- calls traced to message batches ---------------------------------------------------------------
# B1 (DELIVERY_DELAYED) reached C1 and C2 at 10-21 09:50, B2 (ACTIVATION_CALL_ARS) C3 at 10:35.
# Traced: B1 K1, K2 (C1), K3 (C2) = 3; B2 K5 (C3 10:40) = 1. The calls extract starts at 10:00, so no
# day before: the launch rate at live T (11:05): K1 K2 K3 K5 K7 by customers with an order = 5
# calls / 4 customers / 65 min = 15/13 per customer-hour. B1 watched 2 x 75 min = 2.5 h: baseline
# 2.885, excess 0.115; B2 1 x 30 min: baseline 0.577, excess 0.423. Ranked: B2, B1.
BATCH_MESSAGES = """message_id,customer_id,template,sent_at,status,order_id,batch_id
M1,C1,DELIVERY_DELAYED,2016-10-21 09:50,delivered,O1,B1
M2,C2,DELIVERY_DELAYED,2016-10-21 09:50,delivered,O2,B1
M3,C3,ACTIVATION_CALL_ARS,2016-10-21 10:35,delivered,O3,B2
"""


def test_batches_ranked_by_excess_with_links_to_their_messages(app_at, tmp_path):
    data = write(tmp_path, {"orders/o.csv": ORDERS, "calls/c.csv": CALLS, "messages/m.csv": BATCH_MESSAGES})
    at = app_at("calls", data, query={"region": "Seoul"})
    assert not at.exception
    ranked = next(d for d in at.dataframe if d.key == "calls_batches_table").value
    # Seoul: C2 (Busan) is out, so B1 reached C1 alone: K1, K2; 5 -> 4 calls (K3 out) by 3 customers
    # over 65 min: 4/3/(13/12) = 16/13 per customer-hour, x 1.25 h = 1.538 (excess 0.462);
    # B2: 16/13 x 0.5 = 0.615 (excess 0.385).
    assert ranked["batch_id"].tolist() == ["B1", "B2"]
    assert ranked[["rank", "calls", "customers_reached"]].values.tolist() == [[1, 2, 1], [2, 1, 1]]
    assert ranked["baseline"].round(3).tolist() == [1.538, 0.615]
    assert ranked["baseline_method"].tolist() == ["launch rate", "launch rate"]
    # each row links to its batch on the Messages page, with the view (language, filter) kept
    assert ranked["messages_page"].tolist() == ["messages?lang=en&region=Seoul&refresh=off&batch=B1",
                                                "messages?lang=en&region=Seoul&refresh=off&batch=B2"]

    at.multiselect(key="f_region").set_value([]).run()
    assert not at.exception
    ranked = next(d for d in at.dataframe if d.key == "calls_batches_table").value
    assert ranked["batch_id"].tolist() == ["B2", "B1"]
    assert ranked["calls"].tolist() == [1, 3]
    assert ranked["baseline"].round(3).tolist() == [0.577, 2.885]
    assert ranked["reasons"].tolist() == ["delivery 1", "activation 2, delivery 1"]


def test_sample_ranking_is_the_reports(app_at, sample_dir):
    store = open_store(sample_dir)
    try:
        impact = report.build(store)["messages"]["call_impact"]
    finally:
        store.close()
    at = app_at("calls", sample_dir)
    assert not at.exception
    ranked = next(d for d in at.dataframe if d.key == "calls_batches_table").value
    assert ranked["batch_id"].tolist() == [b["batch_id"] for b in impact]
    assert ranked["excess"].tolist() == [b["excess"] for b in impact]
    assert ranked["calls"].tolist() == [b["calls"] for b in impact]
