"""Activations page: runs on every kind of folder; tiles are the report's; the backlog projection.

Hand-written launch (Asia/Seoul):
  O1 (Seoul) attempts A1 failed 09:05 E-101, A2 success 10:10; O2 (Busan, promise 10-21 22:00)
  A3 failed 09:31 E-101, A4 failed 10:25 E-202, A5 pending since 10:40; O3 (Seoul) A6 success
  10:45; O4 (Seoul, promise 10-22 12:00) and O6 (Busan, promise 10-21 11:20) waiting for stock;
  O5 cancelled. Live T = 10:45 (A6).
At 11:00: pace 2 successes/h (A2, A6), backlog O6, O2, O4 worked earliest promise first clears
at 11:30, 12:00, 12:30 -> O6 misses 11:20. At live T (10:45) O6 would clear 11:15: no miss.
Region Busan at 11:00: O2 and O6 in the backlog, no Busan success in the last hour -> both miss.
"""
from __future__ import annotations

from datetime import date, time

from launchboard import report
from launchboard.loader import open_store
from launchboard.metrics import Scope
from launchboard.timeutil import parse_moment
from app_support import tiles
from launch_files import make_launch as write

ORDERS = """order_id,customer_id,channel,sku,region,ordered_at,allocated_at,cancelled_at,promised_activation_by
O1,C1,sms,IP7-128-JBK,Seoul,2016-10-07 10:00,2016-10-19 09:00,,2016-10-21 22:00
O2,C2,web,IP7-128-JBK,Busan,2016-10-07 10:05,2016-10-19 09:00,,2016-10-21 22:00
O3,C3,sms,IP7-128-JBK,Seoul,2016-10-07 10:10,2016-10-19 09:00,,2016-10-21 22:00
O4,C4,store,IP7-32-SLV,Seoul,2016-10-07 10:20,,,2016-10-22 12:00
O5,C5,web,IP7-32-SLV,Busan,2016-10-07 11:00,,2016-10-10 09:00,2016-10-21 22:00
O6,C6,sms,IP7-32-SLV,Busan,2016-10-07 11:30,,,2016-10-21 11:20
"""
ACTIVATIONS = """attempt_id,order_id,requested_via,requested_at,result,finished_at,error_code
A1,O1,auto,2016-10-21 09:00,failed,2016-10-21 09:05,E-101
A2,O1,ars,2016-10-21 10:00,success,2016-10-21 10:10,
A3,O2,auto,2016-10-21 09:30,failed,2016-10-21 09:31,E-101
A4,O2,agent,2016-10-21 10:20,failed,2016-10-21 10:25,E-202
A5,O2,agent,2016-10-21 10:40,pending,,
A6,O3,auto,2016-10-21 10:30,success,2016-10-21 10:45,
"""
AT_11 = {"as_of_mode": "Moment", "as_of_date": date(2016, 10, 21), "as_of_time": time(11, 0)}


def test_backlog_projection_moves_with_as_of_and_filters(app_at, tmp_path):
    data = write(tmp_path, {"orders/o.csv": ORDERS, "activations/a.csv": ACTIVATIONS})
    live = app_at("activations", data)
    assert not live.exception
    assert tiles(live)["Projected to miss a promise still ahead"] == "0"
    assert any("Promise **2016-10-21 11:20** holds" in s.value for s in live.success)

    at = app_at("activations", data, state=AT_11)
    assert not at.exception
    t = tiles(at)
    assert (t["Attempts"], t["Succeeded"], t["Failed"], t["Pending"], t["Failure rate"]) == \
        ("6", "2", "3", "1", "60.0%")
    assert (t["Backlog"], t["Successes in the last hour"], t["Projected to miss a promise still ahead"]) == \
        ("3", "2", "1")
    assert [e.value for e in at.error] == ["Promise **2016-10-21 11:20**: **1** of 1 orders are projected to miss it."]

    at.multiselect(key="f_region").set_value(["Busan"]).run()
    assert not at.exception
    t = tiles(at)
    assert (t["Attempts"], t["Succeeded"], t["Failed"], t["Pending"]) == ("3", "0", "2", "1")
    assert (t["Backlog"], t["Successes in the last hour"], t["Projected to miss a promise still ahead"]) == \
        ("2", "0", "2")


def test_sample_tiles_equal_report(app_at, sample_dir):
    store = open_store(sample_dir)
    try:
        r = report.build(store)
        region = store.cursor().execute("SELECT min(region) FROM orders").fetchone()[0]
        r_region = report.build(store, None, Scope(regions=(region,)))
        r_moment = report.build(store, parse_moment("2016-10-21 20:00", store.config.tz))
    finally:
        store.close()

    def expected(rep):
        a = rep["activations"]
        return {"Attempts": f"{a['attempts']:,}", "Succeeded": f"{a['succeeded']:,}", "Failed": f"{a['failed']:,}",
                "Pending": f"{a['pending']:,}", "Failure rate": f"{a['failure_rate']:.1%}",
                "Missed activation promise": f"{rep['orders']['missed_activation_promise']:,}"}

    def shown(at):
        return {k: v for k, v in tiles(at).items() if k in expected(r)}

    at = app_at("activations", sample_dir)
    assert not at.exception
    assert shown(at) == expected(r)
    at.multiselect(key="f_region").set_value([region]).run()
    assert not at.exception
    assert shown(at) == expected(r_region) != expected(r)
    at = app_at("activations", sample_dir, state={"as_of_mode": "Moment", "as_of_date": date(2016, 10, 21),
                                                  "as_of_time": time(20, 0)})
    assert not at.exception
    assert shown(at) == expected(r_moment) != expected(r)


def test_empty_folder(app_at, tmp_path):
    at = app_at("activations", tmp_path)
    assert not at.exception
    assert any("No data yet" in i.value for i in at.info)


def test_only_activations(app_at, tmp_path):
    # Attempts whose orders have not arrived (orphans): counted; no backlog of known orders.
    at = app_at("activations", write(tmp_path, {"activations/a.csv": ACTIVATIONS}))
    assert not at.exception
    assert tiles(at)["Attempts"] == "6"
    assert any("No order is waiting for activation" in s.value for s in at.success)


def test_only_orders(app_at, tmp_path):
    # Orders without any attempt: all six but the cancelled O5 are in the backlog, and nothing
    # succeeded in the last hour, so the backlog never clears.
    at = app_at("activations", write(tmp_path, {"orders/o.csv": ORDERS}))
    assert not at.exception
    assert (tiles(at)["Attempts"], tiles(at)["Backlog"]) == ("0", "5")
    assert any("never clears" in m.value for m in at.markdown)
