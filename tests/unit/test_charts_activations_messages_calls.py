"""Activations, messages and call-centre queries and charts on a hand-written launch.

The tiny launch below (Asia/Seoul, no offsets) was worked through by hand; every expected
number is derived in the comments next to it. T = 2016-10-21 11:00 unless stated.
"""
from __future__ import annotations

import shutil

from datetime import datetime, time

import pandas as pd
import pytest

from launchboard import report, sql
from launchboard.charts import activations as act_charts
from launchboard.charts import calls as call_charts
from launchboard.charts import messages as msg_charts
from launchboard.loader import Store
from launchboard.metrics import Params, Scope
from launchboard.timeutil import parse_moment

TOML = """[launch]
name = "Tiny launch"
[templates.DELIVERY_DELAYED]
claims = "not_delivered"
[templates.ACTIVATION_AUTO_BY_DEADLINE]
claims = "not_activated"
conflicts_with = ["ACTIVATION_CALL_ARS"]
[templates.ACTIVATION_CALL_ARS]
claims = "delivered"
[templates.DELAY_CORRECTION]
"""
FILES = {
    "orders/orders.csv": """order_id,customer_id,channel,sku,region,ordered_at,allocated_at,cancelled_at,promised_activation_by
O1,C1,sms,IP7-128-JBK,Seoul,2016-10-07 10:00,2016-10-19 09:00,,2016-10-21 22:00
O2,C2,web,IP7-128-JBK,Busan,2016-10-07 10:05,2016-10-19 09:00,,2016-10-21 22:00
O3,C3,sms,IP7-128-JBK,Seoul,2016-10-07 10:10,2016-10-19 09:00,,2016-10-21 22:00
O4,C4,store,IP7-32-SLV,Seoul,2016-10-07 10:20,,,2016-10-22 12:00
O5,C5,web,IP7-32-SLV,Busan,2016-10-07 11:00,,2016-10-10 09:00,2016-10-21 22:00
O6,C6,sms,IP7-32-SLV,Busan,2016-10-07 11:30,,,2016-10-21 11:20
""",
    "shipments/shipments.csv": """event_id,order_id,courier,event,event_at,hub
S1,O1,Post,packed,2016-10-19 20:00,
S2,O1,Post,picked_up,2016-10-20 08:00,Seoul HUB
S3,O1,Post,delivered,2016-10-20 15:00,
S4,O2,CJ,picked_up,2016-10-20 08:30,Busan HUB
S5,O2,CJ,delivered,2016-10-20 16:00,
S6,O3,Post,picked_up,2016-10-20 09:00,Seoul HUB
""",
    "activations/activations.csv": """attempt_id,order_id,requested_via,requested_at,result,finished_at,error_code
A1,O1,auto,2016-10-21 09:00,failed,2016-10-21 09:05,E-101
A2,O1,ars,2016-10-21 10:00,success,2016-10-21 10:10,
A3,O2,auto,2016-10-21 09:30,failed,2016-10-21 09:31,E-101
A4,O2,agent,2016-10-21 10:20,failed,2016-10-21 10:25,E-202
A5,O2,agent,2016-10-21 10:40,pending,,
A6,O3,auto,2016-10-21 10:30,success,2016-10-21 10:45,
""",
    "messages/messages.csv": """message_id,customer_id,template,sent_at,status,order_id,batch_id,corrects_batch_id,error_code
M1,C1,DELIVERY_DELAYED,2016-10-20 22:00,delivered,O1,B1,,
M2,C2,DELIVERY_DELAYED,2016-10-20 22:00,failed,O2,B1,,E-SPAM
M3,C3,DELIVERY_DELAYED,2016-10-20 22:00,delivered,O3,B1,,
M4,C1,ACTIVATION_AUTO_BY_DEADLINE,2016-10-20 23:00,delivered,O1,B2,,
M5,C1,ACTIVATION_CALL_ARS,2016-10-21 07:00,delivered,O1,B3,,
M6,C2,ACTIVATION_CALL_ARS,2016-10-21 07:00,delivered,O2,B3,,
M7,C3,ACTIVATION_CALL_ARS,2016-10-21 07:00,delivered,O3,B3,,
M8,C1,DELAY_CORRECTION,2016-10-21 10:00,delivered,O1,B4,B1,
M9,C4,PROMO_X,2016-10-21 10:30,delivered,,,,
M10,C2,DELAY_CORRECTION,2016-10-21 10:00,delivered,O2,B4,B1,
""",
    "calls/calls.csv": """call_id,queue,arrived_at,answered_at,ended_at,outcome,customer_id,agent_id,reason,resolution
K1,iphone,2016-10-21 10:00:00,2016-10-21 10:00:10,2016-10-21 10:05:10,answered,C1,G1,activation,no_info
K2,iphone,2016-10-21 10:10:00,2016-10-21 10:10:30,2016-10-21 10:13:30,answered,C1,G2,activation,resolved
K3,iphone,2016-10-21 10:20:00,,2016-10-21 10:21:00,abandoned,C2,,delivery,
K4,ars,2016-10-21 10:30:00,,2016-10-21 10:30:05,rejected,,,,
K5,iphone,2016-10-21 10:40:00,2016-10-21 10:40:05,2016-10-21 10:46:05,answered,C3,G1,delivery,resolved
K6,iphone,2016-10-21 10:50:00,2016-10-21 10:51:00,2016-10-21 10:59:00,answered,C9,G3,stock,resolved
K7,iphone,2016-10-21 10:55:00,2016-10-21 10:55:15,2016-10-21 11:05:00,answered,C4,G2,activation,resolved
""",
}

# Who is who in the tiny launch at T = 11:00:
#   O1 delivered 10-20 15:00, attempts A1 failed (09:05, E-101), A2 success (10:10) -> activated
#   O2 delivered 10-20 16:00, A3 failed 09:31 E-101, A4 failed 10:25 E-202, A5 pending -> activation_pending
#   O3 in transit, A6 success 10:45 -> activated
#   O4 reserved, promise 10-22 12:00; O6 reserved, promise 10-21 11:20; O5 cancelled 10-10.
#   O2 promise 10-21 22:00.


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny_launch")
    (root / "launch.toml").write_text(TOML, encoding="utf-8")
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    s = Store(root)
    s.refresh()
    yield s
    s.close()


T = "2016-10-21 11:00"


def run(store, name, at=T, scope=Scope(), **extra) -> pd.DataFrame:
    p = {**Params(parse_moment(at, store.config.tz), store.config, scope).values(), **extra}
    cur = store.cursor()
    try:
        return sql.run(cur, name, p).df()
    finally:
        cur.close()


def rows(df: pd.DataFrame, *cols) -> list[tuple]:
    return [tuple(r) for r in df[list(cols)].itertuples(index=False)]


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


# ---------------------------------------------------------------- activations queries

def test_hourly_attempts_successes_failures(store):
    df = run(store, "activations_hourly", span_hours=4)
    got = {(r.at.strftime("%H:%M"), r.series): r.n for r in df.itertuples()}
    # 09h: requested A1, A3; failed A1 (09:05), A3 (09:31). 10h: requested A2 A4 A5 A6;
    # success A2 10:10, A6 10:45; failed A4 10:25. 11h (T's hour): nothing, filled with 0.
    assert got == {("09:00", "attempts"): 2, ("09:00", "failures"): 2, ("09:00", "successes"): 0,
                   ("10:00", "attempts"): 4, ("10:00", "failures"): 1, ("10:00", "successes"): 2,
                   ("11:00", "attempts"): 0, ("11:00", "failures"): 0, ("11:00", "successes"): 0}


def test_hourly_respects_as_of_and_span(store):
    # At 10:30: requested A2, A4, A6 (10:30 itself counts), not A5 (10:40); A6 not finished yet.
    df = run(store, "activations_hourly", at="2016-10-21 10:30", span_hours=4)
    got = {(r.at.strftime("%H:%M"), r.series): r.n for r in df.itertuples()}
    assert got[("10:00", "attempts")] == 3 and got[("10:00", "successes")] == 1 and got[("10:00", "failures")] == 1
    # A 1 h span only keeps events after 10:00 -> the 09h bucket disappears.
    assert set(run(store, "activations_hourly", span_hours=1)["at"].dt.hour) == {10, 11}


def test_failures_by_code_per_hour(store):
    df = run(store, "activations_failures_by_code_hourly", span_hours=24)
    assert rows(df, "error_code", "failed") == [("E-101", 2), ("E-202", 1)]
    assert list(df["at"].dt.hour) == [9, 10]


def test_attempts_per_order(store):
    df = run(store, "activations_attempts_per_order")
    # O3 one attempt (activated), O1 two (activated), O2 three (one pending).
    assert rows(df, "attempts", "outcome", "orders") == [(1, "activated", 1), (2, "activated", 1), (3, "pending", 1)]
    # At 09:40 O1 and O2 each have one failed attempt.
    early = run(store, "activations_attempts_per_order", at="2016-10-21 09:40")
    assert rows(early, "attempts", "outcome", "orders") == [(1, "failed", 2)]


def test_by_requested_via(store):
    df = run(store, "activations_by_via").set_index("requested_via")
    assert df.loc["auto", ["attempts", "succeeded", "failed", "pending"]].tolist() == [3, 1, 2, 0]
    assert df.loc["agent", ["attempts", "succeeded", "failed", "pending"]].tolist() == [2, 0, 1, 1]
    assert df.loc["ars", ["attempts", "succeeded", "failed", "pending"]].tolist() == [1, 1, 0, 0]
    assert df.loc["auto", "failure_rate"] == pytest.approx(2 / 3)
    # Sums agree with the report's activation figures.
    a = report.build(store, parse_moment(T, store.config.tz))["activations"]
    assert df[["attempts", "succeeded", "failed", "pending"]].sum().tolist() == \
        [a["attempts"], a["succeeded"], a["failed"], a["pending"]]


def test_backlog_projection(store):
    df = run(store, "activations_backlog")
    total = df[df["is_total"]].iloc[0]
    # Backlog: O2 (pending), O4, O6 (reserved); pace: A2 10:10 and A6 10:45 = 2 per hour.
    # Earliest promise first: O6 (11:20) clears 11:30 -> misses; O2 (22:00) 12:00; O4 (10-22 12:00) 12:30.
    assert (total["backlog"], total["per_hour"], total["will_miss"], total["already_missed"]) == (3, 2, 1, 0)
    assert total["clears_at"] == ts("2016-10-21 12:30")
    groups = df[~df["is_total"]]
    assert rows(groups, "deadline", "backlog", "will_miss", "clears_at") == [
        (ts("2016-10-21 11:20"), 1, 1, ts("2016-10-21 11:30")),
        (ts("2016-10-21 22:00"), 1, 0, ts("2016-10-21 12:00")),
        (ts("2016-10-22 12:00"), 1, 0, ts("2016-10-21 12:30")),
    ]
    # The backlog is the report's orders that are neither activated nor cancelled.
    by_stage = report.build(store, parse_moment(T, store.config.tz))["orders"]["by_stage"]
    assert total["backlog"] == sum(v for k, v in by_stage.items() if k not in ("activated", "cancelled"))


def test_backlog_never_clears_without_successes(store):
    # At 21:45 no success in the last hour: nothing clears; O2 (22:00) and O4 will miss,
    # O6 (11:20) is already past its promise.
    total = run(store, "activations_backlog", at="2016-10-21 21:45").query("is_total").iloc[0]
    assert (total["backlog"], total["per_hour"], total["will_miss"], total["already_missed"]) == (3, 0, 2, 1)
    assert pd.isna(total["clears_at"])


def test_backlog_filters(store):
    # Region Busan: O2 (pending), O5 (cancelled), O6 (reserved); no Busan success in the last hour.
    total = run(store, "activations_backlog", scope=Scope(regions=("Busan",))).query("is_total").iloc[0]
    assert (total["backlog"], total["per_hour"], total["will_miss"]) == (2, 0, 2)


def test_backlog_over_time(store):
    df = run(store, "activations_backlog_hourly", span_hours=3)
    # Marks 09:00, 10:00, 11:00 (= T): O1..O4, O6 wait until O1 (10:10) and O3 (10:45) activate.
    assert rows(df, "at", "backlog") == [(ts("2016-10-21 09:00"), 5), (ts("2016-10-21 10:00"), 5),
                                         (ts("2016-10-21 11:00"), 3)]
    # Between marks, T itself is a point.
    df = run(store, "activations_backlog_hourly", at="2016-10-21 10:50", span_hours=1)
    assert rows(df, "at", "backlog") == [(ts("2016-10-21 10:00"), 5), (ts("2016-10-21 10:50"), 3)]


# ---------------------------------------------------------------- messages queries

def test_sends_per_hour_by_template(store):
    df = run(store, "messages_hourly_by_template", span_hours=48)
    assert rows(df, "at", "template", "sent", "quiet") == [
        (ts("2016-10-20 22:00"), "DELIVERY_DELAYED", 3, 3),
        (ts("2016-10-20 23:00"), "ACTIVATION_AUTO_BY_DEADLINE", 1, 1),
        (ts("2016-10-21 07:00"), "ACTIVATION_CALL_ARS", 3, 3),
        (ts("2016-10-21 10:00"), "DELAY_CORRECTION", 2, 0),
        (ts("2016-10-21 10:00"), "PROMO_X", 1, 0),
    ]


def test_quiet_sends_by_template_and_batch(store):
    df = run(store, "messages_quiet_by_template")
    assert rows(df, "template", "batch_id", "quiet_sends") == [
        ("ACTIVATION_CALL_ARS", "B3", 3), ("DELIVERY_DELAYED", "B1", 3), ("ACTIVATION_AUTO_BY_DEADLINE", "B2", 1)]
    assert df["quiet_sends"].sum() == report.build(store, parse_moment(T, store.config.tz))["messages"]["quiet_hours"]


def test_contradictions_with_examples(store):
    df = run(store, "messages_contradictions")
    # M1, M2 said "delivery delayed" to delivered O1, O2; M7 told in-transit O3 to call ARS on arrival.
    assert rows(df, "template", "claims", "stage_at_send", "messages", "example_messages", "example_orders") == [
        ("DELIVERY_DELAYED", "not_delivered", "delivered", 2, "M1, M2", "O1, O2"),
        ("ACTIVATION_CALL_ARS", "delivered", "in_transit", 1, "M7", "O3"),
    ]


def test_conflict_pairs(store, tmp_path):
    df = run(store, "messages_conflict_pairs")
    # C1 got AUTO_BY_DEADLINE (10-20 23:00) and CALL_ARS (10-21 07:00): 8 h apart.
    assert rows(df, "template_a", "template_b", "customers", "example_customers") == [
        ("ACTIVATION_AUTO_BY_DEADLINE", "ACTIVATION_CALL_ARS", 1, "C1")]
    # A 7 h window (launch.toml) no longer holds them.
    narrow = tmp_path / "narrow"
    shutil.copytree(store.data_dir, narrow)
    (narrow / "launch.toml").write_text(TOML + "[messages]\nconflict_window_hours = 7\n", encoding="utf-8")
    seven = Store(narrow)
    try:
        seven.refresh()
        assert run(seven, "messages_conflict_pairs").empty
        assert report.build(seven, parse_moment(T, seven.config.tz))["messages"]["conflicting_customers"] == 0
    finally:
        seven.close()


def test_retractions_context(store):
    df = run(store, "messages_retractions")
    assert rows(df, "batch_id", "batch_template", "correction_template", "correction_messages") == [
        ("B1", "DELIVERY_DELAYED", "DELAY_CORRECTION", 2)]
    assert run(store, "messages_retractions", at="2016-10-21 09:59").empty


# ---------------------------------------------------------------- calls queries

def test_calls_per_15_minutes(store):
    df = run(store, "calls_per_15min", span_hours=2)
    got = {(r.at.strftime("%H:%M"), r.series): r.calls for r in df.itertuples() if r.calls}
    # K7 (10:55) ends 11:05, after T: not offered yet.
    assert got == {("10:00", "answered"): 2, ("10:00", "offered"): 2, ("10:15", "abandoned"): 1,
                   ("10:15", "offered"): 1, ("10:30", "answered"): 1, ("10:30", "rejected"): 1,
                   ("10:30", "offered"): 2, ("10:45", "answered"): 1, ("10:45", "offered"): 1}
    assert len(df) == 5 * 4  # 10:00 .. 11:00, four series, empty quarters filled


def test_service_per_hour_matches_report(store):
    df = run(store, "calls_service_hourly", span_hours=2)
    c = report.build(store, parse_moment(T, store.config.tz))["calls"]
    assert len(df) == 1
    row = df.iloc[0]
    # Waits 10, 30, 5, 60 s: two within 20 s of 6 offered; ASA 26.25 s.
    assert (row["offered"], row["within_target"], row["no_info"]) == (6, 2, 1)
    assert row["service_level"] == pytest.approx(c["service_level"]) == pytest.approx(2 / 6)
    assert row["asa_seconds"] == pytest.approx(c["asa_seconds"]) == pytest.approx(26.25)


def test_wait_histogram(store):
    df = run(store, "calls_wait_histogram", bin_seconds=10, bins=5)
    # Abandoned K3 after 60 s and answered K6 after 60 s fall in the open last bin (40 s or more);
    # answered K5 5 s, K1 10 s, K2 30 s.
    got = {(r.kind[:8], r.bin): r.calls for r in df.itertuples()}
    assert got == {("abandone", 4): 1, ("answered", 0): 1, ("answered", 1): 1, ("answered", 3): 1,
                   ("answered", 4): 1}
    assert df.loc[df["bin"] == 4, "to_seconds"].isna().all()


def test_reason_by_caller_stage(store):
    df = run(store, "calls_reason_stage")
    # K1 C1 at 10:00: A2 requested 10:00, pending -> activation_pending; K2 C1 at 10:10: A2 done -> activated;
    # K3 C2 at 10:20: A4 requested 10:20 -> activation_pending; K5 C3 at 10:40: A6 pending;
    # K4 unknown caller, K6 C9 has no order -> unknown.
    assert sorted(rows(df, "reason", "stage", "calls")) == [
        ("(none)", "unknown", 1), ("activation", "activated", 1), ("activation", "activation_pending", 1),
        ("delivery", "activation_pending", 2), ("stock", "unknown", 1)]


def test_repeat_callers(store):
    df = run(store, "calls_repeat_distribution")
    assert rows(df, "calls_per_customer", "customers", "no_info_calls") == [(1, 3, 0), (2, 1, 1)]
    assert report.build(store, parse_moment(T, store.config.tz))["calls"]["repeat_callers"] == 1


def test_staffing_load(store):
    df = run(store, "calls_staffing", span_hours=2, erlang_minutes=60)
    window = df[df["is_window"]].iloc[0]
    # Arrived after 10:00 and ended by 11:00: K2..K6; answered K2 180 s, K5 360 s, K6 480 s; agents G1 G2 G3.
    assert (window["calls"], window["agents_answering"]) == (5, 3)
    assert window["handle_seconds"] == pytest.approx(340)
    hour = df[~df["is_window"]].iloc[0]
    # The 10h bucket: K1..K6, handle 300, 180, 360, 480.
    assert (hour["at"], hour["calls"], hour["minutes"], hour["agents_answering"]) == \
        (ts("2016-10-21 10:00"), 6, 60.0, 3)
    assert hour["handle_seconds"] == pytest.approx(330)
    # At 10:30 the 10h hour is half over.
    assert run(store, "calls_staffing", at="2016-10-21 10:30", span_hours=2, erlang_minutes=60
               ).query("not is_window").iloc[0]["minutes"] == pytest.approx(30)


def test_calls_filters(store):
    # Region Seoul: customers C1, C3, C4; offered at T: K1, K2 (C1) and K5 (C3); K7 (C4) ends after T.
    df = run(store, "calls_service_hourly", span_hours=2, scope=Scope(regions=("Seoul",)))
    assert (df.iloc[0]["offered"], df.iloc[0]["within_target"]) == (3, 2)


# ---------------------------------------------------------------- charts

MARKS = pd.DataFrame({"at": [ts("2016-10-21 22:00")], "kind": ["activation promise"],
                      "label": ["activation promise (3 orders)"], "n": [3]})


def layers(spec: dict, data: dict | None = None) -> list[dict]:
    """The leaf layers of a (nested) layer spec, each with the data it inherits."""
    data = spec.get("data", data)
    if "layer" not in spec:
        return [{**spec, "data": data}]
    return [leaf for layer in spec["layer"] for leaf in layers(layer, data)]


def mark_of(layer: dict) -> str:
    m = layer["mark"]
    return m if isinstance(m, str) else m["type"]


def data_rows(chart, layer: dict) -> list[dict]:
    return chart.to_dict()["datasets"][layer["data"]["name"]]


def test_activation_charts(store):
    hourly = run(store, "activations_hourly", span_hours=4)
    spec = act_charts.hourly(hourly, MARKS).to_dict()
    line, rule = layers(spec)
    assert (mark_of(line), mark_of(rule)) == ("line", "rule")
    assert line["encoding"]["x"]["field"] == "at" and line["encoding"]["y"]["field"] == "n"
    assert [t["field"] for t in line["encoding"]["tooltip"]] == ["at", "series", "n"]
    assert line["encoding"]["color"]["scale"]["domain"] == ["attempts", "successes", "failures"]
    assert spec["resolve"] == {"scale": {"color": "independent"}}
    # Without marked moments the chart is the line alone.
    assert mark_of(act_charts.hourly(hourly, None).to_dict()) == "line"

    codes = act_charts.failures_by_code(run(store, "activations_failures_by_code_hourly", span_hours=4), MARKS)
    bars = layers(codes.to_dict())[0]
    assert mark_of(bars) == "bar" and bars["encoding"]["color"]["field"] == "error_code"

    per_order = act_charts.attempts_per_order(run(store, "activations_attempts_per_order")).to_dict()
    assert per_order["encoding"]["x"]["field"] == "attempts" and "tooltip" in per_order["encoding"]

    via = act_charts.by_via(run(store, "activations_by_via"))
    long = data_rows(via, via.to_dict())
    assert {(r["requested_via"], r["result"]): r["count"] for r in long}[("agent", "pending")] == 1
    assert len(long) == 3 * 3


def test_backlog_chart_and_projection():
    history = pd.DataFrame({"at": [ts("2016-10-21 10:00"), ts("2016-10-21 11:00")], "backlog": [5, 3]})
    proj = act_charts.projection_frame(datetime(2016, 10, 21, 11), 3, ts("2016-10-21 12:30"))
    assert rows(proj, "at", "backlog") == [(ts("2016-10-21 11:00"), 3), (ts("2016-10-21 12:30"), 0)]
    assert act_charts.projection_frame(datetime(2016, 10, 21, 11), 3, None).empty
    assert act_charts.projection_frame(datetime(2016, 10, 21, 11), 0, ts("2016-10-21 12:30")).empty
    chart = act_charts.backlog(history, proj, MARKS)
    line, rule = layers(chart.to_dict())
    assert mark_of(line) == "line" and line["encoding"]["strokeDash"]["field"] == "series"
    data = data_rows(chart, line)
    assert [(r["series"], r["backlog"]) for r in data] == [
        ("backlog", 5), ("backlog", 3), ("projection at current pace", 3), ("projection at current pace", 0)]
    # A backlog that never clears has no projection line (and still draws).
    empty = act_charts.projection_frame(datetime(2016, 10, 21, 11), 3, None)
    alone = act_charts.backlog(history, empty, None)
    assert len(data_rows(alone, layers(alone.to_dict())[0])) == 2


def test_quiet_windows_wrap_midnight_and_clip():
    w = msg_charts.quiet_windows(datetime(2016, 10, 20, 12), datetime(2016, 10, 22, 6), time(21), time(8))
    assert rows(w, "start", "end") == [
        (datetime(2016, 10, 20, 21), datetime(2016, 10, 21, 8)),
        (datetime(2016, 10, 21, 21), datetime(2016, 10, 22, 6)),   # clipped at the chart's end
    ]
    # Starting inside a window: it is clipped at the start.
    w = msg_charts.quiet_windows(datetime(2016, 10, 21, 2), datetime(2016, 10, 21, 12), time(21), time(8))
    assert rows(w, "start", "end") == [(datetime(2016, 10, 21, 2), datetime(2016, 10, 21, 8))]
    # A window that does not wrap.
    w = msg_charts.quiet_windows(datetime(2016, 10, 21, 0), datetime(2016, 10, 22, 0), time(1), time(6))
    assert rows(w, "start", "end") == [(datetime(2016, 10, 21, 1), datetime(2016, 10, 21, 6))]


def test_message_charts(store):
    hourly = run(store, "messages_hourly_by_template", span_hours=48)
    windows = msg_charts.quiet_windows(datetime(2016, 10, 20, 12), datetime(2016, 10, 21, 12), time(21), time(8))
    chart = msg_charts.sends_by_template(hourly, windows, MARKS)
    shade, bars, rule = layers(chart.to_dict())
    assert (mark_of(shade), mark_of(bars), mark_of(rule)) == ("rect", "bar", "rule")
    assert shade["encoding"]["x2"]["field"] == "end"
    assert len(data_rows(chart, shade)) == 1 and len(data_rows(chart, bars)) == 5
    assert {t["field"] for t in bars["encoding"]["tooltip"]} == {"at", "template", "sent", "quiet"}

    m = report.build(store, parse_moment(T, store.config.tz))["messages"]
    table = pd.DataFrame(m["retracted_batches"]).merge(run(store, "messages_retractions"), on="batch_id")
    for col in ("sent_at", "corrected_at"):
        table[col] = pd.to_datetime(table[col], utc=True).dt.tz_convert("Asia/Seoul").dt.tz_localize(None)
    timeline = msg_charts.retraction_timeline(table, MARKS)
    marks = [mark_of(x) for x in layers(timeline.to_dict())]
    assert marks == ["rule", "point", "point", "text", "rule"]
    row = data_rows(timeline, layers(timeline.to_dict())[0])[0]
    assert (row["batch_id"], row["recipients"], row["hours_to_correction"]) == ("B1", 3, 12.0)

    failures = msg_charts.failures_by_code(m["failed_by_code"]).to_dict()
    assert failures["datasets"][failures["data"]["name"]] == [{"error_code": "E-SPAM", "failed": 1}]


def test_call_charts(store):
    q = call_charts.per_15min(run(store, "calls_per_15min", span_hours=2), MARKS)
    line = layers(q.to_dict())[0]
    assert line["encoding"]["color"]["scale"]["domain"] == ["offered", "answered", "abandoned", "rejected"]

    service = run(store, "calls_service_hourly", span_hours=2)
    sl = layers(call_charts.service_level(service, 0.8, 20, MARKS).to_dict())
    assert [mark_of(x) for x in sl] == ["line", "rule", "rule"]
    assert sl[0]["encoding"]["y"]["scale"]["domain"] == [0, 1]
    assert mark_of(layers(call_charts.asa(service, None).to_dict())[0]) == "line"

    hist = run(store, "calls_wait_histogram", bin_seconds=10, bins=5)
    h = call_charts.wait_histogram(hist, 10, 20)
    bars, rule = layers(h.to_dict())
    data = data_rows(h, bars)
    assert {(d["kind"][:8], d["range"]) for d in data if d["to_seconds"] is None} == {
        ("abandone", "40 s or more"), ("answered", "40 s or more")}
    assert all(d["to_plot"] == d["from_seconds"] + 10 for d in data)
    assert data_rows(h, rule) == [{"target": 20}]

    rs = call_charts.reason_stage(run(store, "calls_reason_stage"))
    cells, text = layers(rs.to_dict())
    assert cells["encoding"]["x"]["sort"] == ["activation_pending", "activated", "unknown"]

    assert "tooltip" in call_charts.repeat_callers(run(store, "calls_repeat_distribution")).to_dict()["encoding"]

    staff = pd.DataFrame({"at": [ts("2016-10-21 10:00")], "calls": [6], "calls_per_hour": [6.0],
                          "handle_seconds": [330.0], "agents_needed": [2], "agents_answering": [3]})
    st_chart = call_charts.staffing(staff, MARKS)
    line = layers(st_chart.to_dict())[0]
    assert sorted((d["series"], d["agents"]) for d in data_rows(st_chart, line)) == [
        ("agents answering", 3), ("agents needed (Erlang C)", 2)]
