"""Status and pipeline queries and charts on a hand-written launch.

The tiny launch below (Asia/Seoul, no offsets, default launch.toml) was worked through by
hand; each expected number is derived in the comments. T = 2016-10-08 12:00 unless stated.

    O1 Seoul A: ordered 10-07 09:00, allocated 12:00, packed 14:00, picked_up 16:00 (CJ),
       at_hub H1 18:00, delivered 10-08 10:00, activated 11:30; promise 10-08 12:00 (kept)
    O2 Busan A: ordered 10-07 10:00, never allocated; promise 10-08 12:00 (missed)
    O3 Seoul B: ordered 10-07 11:00, allocated 13:00, cancelled 10-08 09:00; promise 10-08 12:00
    O4 Busan B: ordered 10-07 09:00, allocated 10:00, packed 11:00, picked_up 12:00 (HJ),
       at_hub H2 13:00 and nothing since; promise 10-09 12:00 (not due)
"""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from launchboard import report, sql
from launchboard.charts import pipeline as pipe_charts
from launchboard.charts import status as status_charts
from launchboard.loader import Store
from launchboard.metrics import Params, Scope
from launchboard.schema import STAGES

SEOUL = ZoneInfo("Asia/Seoul")
T = datetime(2016, 10, 8, 12, 0, tzinfo=SEOUL)
FILES = {
    "orders/orders.csv": """order_id,customer_id,channel,sku,region,ordered_at,allocated_at,cancelled_at,promised_delivery_by
O1,C1,web,A,Seoul,2016-10-07 09:00,2016-10-07 12:00,,2016-10-08 12:00
O2,C2,web,A,Busan,2016-10-07 10:00,,,2016-10-08 12:00
O3,C3,sms,B,Seoul,2016-10-07 11:00,2016-10-07 13:00,2016-10-08 09:00,2016-10-08 12:00
O4,C4,sms,B,Busan,2016-10-07 09:00,2016-10-07 10:00,,2016-10-09 12:00
""",
    "shipments/shipments.csv": """event_id,order_id,courier,event,event_at,hub
S1,O1,CJ,packed,2016-10-07 14:00,
S2,O1,CJ,picked_up,2016-10-07 16:00,
S3,O1,CJ,at_hub,2016-10-07 18:00,H1
S4,O1,CJ,delivered,2016-10-08 10:00,
S5,O4,HJ,packed,2016-10-07 11:00,
S6,O4,HJ,picked_up,2016-10-07 12:00,
S7,O4,HJ,at_hub,2016-10-07 13:00,H2
""",
    "activations/activations.csv": """attempt_id,order_id,requested_via,requested_at,result,finished_at,error_code
A1,O1,auto,2016-10-08 11:00,success,2016-10-08 11:30,
""",
}


def _write_launch(root, files):
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = Store(_write_launch(tmp_path_factory.mktemp("tiny_pipeline"), FILES))
    s.refresh()
    yield s
    s.close()


def run(store, name, as_of=T, scope=Scope(), **extra):
    cur = store.cursor()
    try:
        return sql.run(cur, name, {**Params(as_of, store.config, scope).values(), **extra}).df()
    finally:
        cur.close()


def local(text):
    return pd.Timestamp(text)


# --- queries -----------------------------------------------------------------------------

def test_stages_over_time_hourly_buckets_and_stage_at_each(store):
    df = run(store, "status_stages_over_time")
    # start 10-07 09:00 (first order's hour), 27 h to T: 27 whole-hour buckets + T itself
    assert df["at"].nunique() == 28
    at9 = df[df["at"] == local("2016-10-07 09:00")].set_index("stage")["orders"].to_dict()
    assert at9 == {"reserved": 2}  # O1 and O4 ordered at 09:00, neither allocated yet
    at_t = df[df["at"] == local("2016-10-08 12:00")].set_index("stage")["orders"].to_dict()
    assert at_t == {"activated": 1, "reserved": 1, "cancelled": 1, "in_transit": 1}
    # the last bucket agrees with the report's stage counts at T
    by_stage = report.build(store, T)["orders"]["by_stage"]
    assert {k: v for k, v in by_stage.items() if v} == at_t


def test_dwell_per_transition_slowest_first(store):
    df = run(store, "pipeline_dwell").set_index("transition")
    # ordered→allocated: O1 3 h, O3 2 h, O4 1 h → median 2, p90 = 2 + 0.8 * 1 = 2.8
    assert df.loc["ordered → allocated", ["orders", "median_hours", "p90_hours"]].tolist() == pytest.approx([3, 2.0, 2.8])
    # allocated→packed: O1 2 h, O4 1 h → median 1.5, p90 1.9
    assert df.loc["allocated → packed", ["orders", "median_hours", "p90_hours"]].tolist() == pytest.approx([2, 1.5, 1.9])
    assert df.loc["packed → picked_up", "median_hours"] == pytest.approx(1.5)  # 2 h and 1 h
    assert df.loc["picked_up → delivered", "median_hours"] == pytest.approx(18.0)  # O1 16:00 → 10:00
    assert df.loc["delivered → activated", "median_hours"] == pytest.approx(1.5)  # O1 10:00 → 11:30
    assert list(df.index)[:2] == ["picked_up → delivered", "ordered → allocated"]
    # at 11:00 O1 is delivered (10:00) but not yet activated (11:30): transition not completed
    earlier = run(store, "pipeline_dwell", as_of=T - timedelta(hours=1)).set_index("transition")
    assert "delivered → activated" not in earlier.index


def test_aging_orders_time_in_current_stage(store):
    df = run(store, "pipeline_aging", aging_hours=20.0)
    # O2 reserved since ordered 10-07 10:00 (26 h); O4 in_transit since pickup 10-07 12:00 (24 h);
    # O1 activated and O3 cancelled never age
    assert df[["order_id", "stage", "hours"]].values.tolist() == [["O2", "reserved", 26.0], ["O4", "in_transit", 24.0]]
    assert df["since"].tolist() == [local("2016-10-07 10:00"), local("2016-10-07 12:00")]
    assert df["courier"].tolist() == ["", "HJ"]
    assert df["aging_total"].tolist() == [2, 2]
    assert run(store, "pipeline_aging", aging_hours=25.0)["order_id"].tolist() == ["O2"]
    assert run(store, "pipeline_aging", aging_hours=20.0, scope=Scope(regions=("Seoul",))).empty


def test_pickups_per_courier_respect_filters(store):
    df = run(store, "pipeline_pickups")
    assert df[["at", "at_end", "courier", "pickups"]].values.tolist() == [
        [local("2016-10-07 12:00"), local("2016-10-07 13:00"), "HJ", 1],
        [local("2016-10-07 16:00"), local("2016-10-07 17:00"), "CJ", 1]]
    assert run(store, "pipeline_pickups", scope=Scope(couriers=("CJ",)))["courier"].tolist() == ["CJ"]
    assert run(store, "pipeline_pickups", scope=Scope(regions=("Busan",)))["courier"].tolist() == ["HJ"]


def test_pickups_count_orphan_scans_only_without_an_order_filter(tmp_path):
    # The tiny launch plus S8, a CJ pickup at 10-07 16:30 for O9, an order no extract has: it
    # has no channel, region or sku, so it counts with no filter and with the courier filter
    # (the scan's own courier), and drops out as soon as a region or a channel is chosen.
    files = dict(FILES)
    files["shipments/shipments.csv"] += "S8,O9,CJ,picked_up,2016-10-07 16:30,\n"
    s = Store(_write_launch(tmp_path, files))
    try:
        s.refresh()
        counts = lambda scope=Scope(): run(s, "pipeline_pickups", scope=scope).groupby("courier")["pickups"].sum().to_dict()
        assert counts() == {"CJ": 2, "HJ": 1}  # O1's and O9's CJ pickups in the 16:00 hour
        assert counts(Scope(couriers=("CJ",))) == {"CJ": 2}
        assert counts(Scope(regions=("Seoul",))) == {"CJ": 1}  # O1 only
        assert counts(Scope(channels=("sms",))) == {"HJ": 1}  # O4
        assert counts(Scope(regions=("Seoul",), couriers=("HJ",))) == {}
    finally:
        s.close()


def test_hub_hours_orders_sitting_per_bucket(store):
    df = run(store, "pipeline_hub_hours")
    h1, h2 = df[df["hub"] == "H1"], df[df["hub"] == "H2"]
    # buckets: whole hours 10-07 14:00 .. 10-08 11:00 (22) and T; O4 sits at H2 in all 23
    assert len(h2) == 23 and set(h2["orders"]) == {1}
    assert h2.iloc[-1]["oldest_hours"] == pytest.approx(23.0)  # scanned 13:00, T = 12:00 next day
    # O1 at H1 from 18:00 until delivered 10:00: buckets 18:00 .. 09:00 = 16
    assert len(h1) == 16
    assert h1["at"].min() == local("2016-10-07 18:00") and h1["at"].max() == local("2016-10-08 09:00")
    first = h1.iloc[0]
    assert first["at_start"] == local("2016-10-07 17:00")


def test_promise_late_by_region_courier_hub(store):
    df = run(store, "pipeline_promise_late")
    rows = {(r.dimension, r.value): (r.due, r.late) for r in df.itertuples()}
    # due at T and not cancelled: O1 (delivered 10:00 <= promise 12:00: on time) and O2 (late)
    assert rows == {
        ("region", "Seoul"): (1, 0), ("region", "Busan"): (1, 1),
        ("courier", "CJ"): (1, 0), ("courier", "(no shipment)"): (1, 1),
        ("hub", "H1"): (1, 0), ("hub", "(no hub scan)"): (1, 1),
    }
    missed = report.build(store, T)["orders"]["missed_delivery_promise"]
    assert df[df["dimension"] == "region"]["late"].sum() == missed == 1


def test_allocation_queue_per_sku(store):
    df = run(store, "pipeline_allocation_queue")
    assert df.values.tolist() == [["A", 1, 0]]  # O2 waits for stock; O4 has moved on
    earlier = run(store, "pipeline_allocation_queue", as_of=datetime(2016, 10, 7, 11, 30, tzinfo=SEOUL))
    # at 11:30: O1 and O2 reserved (sku A), O4 packed, O3 reserved (ordered 11:00, sku B)
    assert earlier.values.tolist() == [["A", 2, 0], ["B", 1, 0]]


def test_freshness_per_table(store):
    df = run(store, "status_freshness").set_index("table_name")
    assert df["files"].tolist() == [1, 1, 1, 0, 0]
    assert df.loc["orders", "newest_event_at"] == pd.Timestamp("2016-10-08 09:00", tz=SEOUL)  # O3 cancelled
    assert df.loc["shipments", "newest_event_at"] == pd.Timestamp("2016-10-08 10:00", tz=SEOUL)
    assert df.loc["activations", "newest_event_at"] == pd.Timestamp("2016-10-08 11:30", tz=SEOUL)
    assert pd.isna(df.loc["calls", "newest_file_at"]) and pd.isna(df.loc["calls", "newest_event_at"])


# --- pure functions ------------------------------------------------------------------------

def _fig(total, delivered, activated, failure_rate, offered, abandoned, rejected, msg_failed):
    return {
        "orders": {"total": total, "by_stage": {**{s: 0 for s in STAGES}, "delivered": delivered, "activated": activated}},
        "activations": {"failure_rate": failure_rate},
        "calls": {"offered": offered, "abandoned": abandoned, "rejected": rejected},
        "messages": {"failed": msg_failed},
    }


def test_kpi_tiles_values_and_hour_deltas():
    now = _fig(1200, 30, 10, 0.25, 40, 6, 4, 7)
    before = _fig(1000, 30, 4, 0.10, 0, 0, 0, 9)
    tiles = status_charts.kpi_tiles(now, before)
    assert [(t.value, t.delta) for t in tiles] == [
        ("1,200", "+200"), ("30", "0"), ("10", "+6"), ("25.0%", "+15.0 pp"),
        ("25.0%", None),  # (6 + 4) / 40 now; no call offered an hour ago: no delta
        ("7", "-2"),
    ]
    assert [t.delta_color for t in tiles] == ["normal", "normal", "normal", "inverse", "inverse", "inverse"]
    empty = status_charts.kpi_tiles(_fig(0, 0, 0, None, 0, 0, 0, 0), _fig(0, 0, 0, None, 0, 0, 0, 0))
    assert [(t.value, t.delta) for t in empty][3:5] == [("n/a", None), ("n/a", None)]


def test_freshness_table_stale_only_when_live():
    df = pd.DataFrame({
        "table_name": ["orders", "shipments", "calls"], "files": [3, 1, 0],
        "newest_file_at": [pd.Timestamp("2016-10-21 10:00", tz=SEOUL), pd.Timestamp("2016-10-21 07:59", tz=SEOUL), pd.NaT],
        "newest_event_at": [pd.Timestamp("2016-10-21 09:00", tz=SEOUL)] * 2 + [pd.NaT],
    })
    now = datetime(2016, 10, 21, 10, 0, tzinfo=SEOUL)
    live = status_charts.freshness_table(df, now=now, stale_minutes=120, live=True)
    assert live["status"].tolist() == ["ok", "stale: no file for 121 min", "no file yet"]
    replay = status_charts.freshness_table(df, now=now, stale_minutes=120, live=False)
    assert replay["status"].tolist() == ["ok", "ok", "no file yet"]


def test_marks_until_keeps_the_next_day():
    marks = pd.DataFrame({"at": [local("2016-10-08 12:00"), local("2016-10-09 11:59"), local("2016-10-09 12:01")],
                          "kind": ["delivery promise"] * 3, "label": ["a", "b", "c"], "n": [1, 1, 1]})
    # T = 03:00 UTC = 12:00 in Seoul: moments up to 24 h later stay
    assert status_charts.marks_until(marks, datetime(2016, 10, 8, 3, 0, tzinfo=ZoneInfo("UTC")), SEOUL)["label"].tolist() == ["a", "b"]


def test_complete_stages_fills_missing_with_zero():
    df = pd.DataFrame({"at": [local("2016-10-07 09:00"), local("2016-10-07 10:00")],
                       "stage": ["reserved", "allocated"], "orders": [2, 1]})
    out = status_charts.complete_stages(df)
    assert len(out) == 2 * len(STAGES)
    assert out[(out["at"] == local("2016-10-07 09:00")) & (out["stage"] == "allocated")]["orders"].item() == 0
    assert list(out["stage"][: len(STAGES)]) == list(STAGES)


# --- chart specs -----------------------------------------------------------------------------

MARKS = pd.DataFrame({"at": [local("2016-10-08 12:00")], "kind": ["delivery promise"],
                      "label": ["delivery promise (3 orders)"], "n": [3]})


def _layers(spec):
    return spec.get("layer", [spec])


def _mark(layer):
    m = layer["mark"]
    return m["type"] if isinstance(m, dict) else m


def _assert_time_chart(chart, mark, y_field):
    spec = chart.to_dict()
    layers = _layers(spec)
    assert len(layers) == 2, "the marked moments are layered over the series"
    series, rules = layers
    assert _mark(series) == mark
    assert series["encoding"]["x"]["type"] == "temporal"
    assert series["encoding"]["y"]["field"] == y_field
    assert series["encoding"]["tooltip"]
    assert _mark(rules) == "rule" and rules["encoding"]["tooltip"]
    return series


def test_time_charts_have_markers_and_tooltips(store):
    flow = run(store, "status_stages_over_time")
    area = _assert_time_chart(status_charts.stages_over_time(flow, MARKS), "area", "orders")
    assert area["encoding"]["y"]["stack"] == "zero"
    _assert_time_chart(pipe_charts.wip_over_time(flow, MARKS), "line", "orders")
    bars = _assert_time_chart(pipe_charts.pickups_chart(run(store, "pipeline_pickups"), MARKS), "bar", "pickups")
    assert bars["encoding"]["x"]["timeUnit"] == "yearmonthdatehours" and bars["encoding"]["y"]["stack"] == "zero"
    cells = _assert_time_chart(pipe_charts.hub_heatmap(run(store, "pipeline_hub_hours"), MARKS), "rect", "hub")
    assert cells["encoding"]["x2"]["field"] == "at" and cells["encoding"]["color"]["field"] == "orders"
    # without marked moments the series stands alone
    assert _mark(status_charts.stages_over_time(flow, MARKS.iloc[0:0]).to_dict()) == "area"


def test_category_charts(store):
    funnel = status_charts.stage_funnel(report.build(store, T)["orders"]["by_stage"]).to_dict()
    assert _mark(funnel) == "bar" and funnel["encoding"]["y"]["sort"] == list(STAGES)
    assert funnel["encoding"]["tooltip"]
    dwell = pipe_charts.dwell_chart(run(store, "pipeline_dwell")).to_dict()
    assert [_mark(layer) for layer in dwell["layer"]] == ["bar", "tick"]
    assert dwell["layer"][0]["encoding"]["y"]["sort"][0] == "picked_up → delivered"  # slowest first
    late = pipe_charts.promise_late_chart(run(store, "pipeline_promise_late"), "region").to_dict()
    assert _mark(late) == "bar" and late["encoding"]["tooltip"]
    rows = next(iter(late["datasets"].values()))
    assert {(r["value"], r["late"], r["late_rate"]) for r in rows} == {("Seoul", 0, 0.0), ("Busan", 1, 1.0)}
    queue = pipe_charts.allocation_queue_chart(run(store, "pipeline_allocation_queue")).to_dict()
    assert _mark(queue) == "bar" and queue["encoding"]["x"]["stack"] == "zero" and queue["encoding"]["tooltip"]
