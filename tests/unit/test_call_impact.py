"""Calls traced to messages (README "Calls traced to messages") and the message_call_surge alert,
on hand-written extracts (Asia/Seoul, call window 2 h unless launch.toml says otherwise).

The launch of ``files()``: customers C1..C8 with one order each (C5 in Busan, the rest Seoul).

  messages  B1  DELIVERY_DELAYED  10-20 22:00  to C1, C2, C3 and C4 (C4's failed: not reached)
            B2  ACTIVATION_AUTO   10-20 23:00  to C2 (who also got B1) and C5
            B3  ACTIVATION_ARS    10-21 10:00  to C6 and C7, who never call
            a correction of B1 without a batch_id ('corrects B1') 10-21 12:00 to C1
            a PREORDER_CONFIRMED to C1 at 10-20 22:05, in no batch
  calls (each ends 60 s after it arrives; `-` = unknown caller)
            K12 C8 10-19 08:00   the first call in the extract
            K10 C1 10-19 22:45   K11 C2 10-19 23:30   K16 C1 10-19 23:50   (the day before)
            K0  C1 10-20 21:30   before B1: never B1's
            K7  C3 22:10 (no reason)   K8 C4 22:20   K1 C1 22:30 delivery   K5 C2 22:30 delivery
            K13 -  22:40   K9 C5 23:10 delivery   K6 C2 23:30 activation   K2 C1 23:59 delivery
            K3  C1 10-21 00:00:00 activation (B1's window end, included)   K4 C1 00:00:01 other
            K14 -  10-21 10:30   K15 C1 12:30 delivery
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from launchboard import alerts, metrics, report, sql
from launchboard.charts import calls as call_charts
from launchboard.charts import messages as msg_charts
from launchboard.config import load_config
from launchboard.loader import Store
from launch_files import make_launch
from launchboard.metrics import Params, Scope
from launchboard.timeutil import parse_moment

ORDERS = "order_id,customer_id,channel,sku,region,ordered_at\n" + "".join(
    f"O{i},C{i},web,IP7,{'Busan' if i == 5 else 'Seoul'},2016-10-07 10:00\n" for i in range(1, 9))
MSG = "message_id,customer_id,template,sent_at,status,order_id,batch_id,corrects_batch_id\n"
CALLS = "call_id,queue,arrived_at,answered_at,ended_at,outcome,customer_id,reason\n"


def call(cid: str, customer: str, arrived: str, reason: str = "") -> str:
    """An answered call of one minute (answered 10 s after it arrived)."""
    day, hms = arrived.split(" ")
    h, m, *s = (int(x) for x in hms.split(":"))
    s = s[0] if s else 0
    return (f"{cid},iphone,2016-{day} {h:02d}:{m:02d}:{s:02d},2016-{day} {h:02d}:{m:02d}:{s + 10:02d},"
            f"2016-{day} {h:02d}:{m + 1:02d}:{s:02d},answered,{customer},{reason}\n")


def files() -> dict[str, str]:
    return {
        "orders/o.csv": ORDERS,
        "messages/m.csv": MSG
        + "M1,C1,DELIVERY_DELAYED,2016-10-20 22:00,delivered,O1,B1,\n"
        + "M2,C2,DELIVERY_DELAYED,2016-10-20 22:00,delivered,O2,B1,\n"
        + "M3,C3,DELIVERY_DELAYED,2016-10-20 22:00,pending,O3,B1,\n"
        + "M4,C4,DELIVERY_DELAYED,2016-10-20 22:00,failed,O4,B1,\n"
        + "M5,C2,ACTIVATION_AUTO,2016-10-20 23:00,delivered,O2,B2,\n"
        + "M6,C5,ACTIVATION_AUTO,2016-10-20 23:00,delivered,O5,B2,\n"
        + "M7,C6,ACTIVATION_ARS,2016-10-21 10:00,delivered,O6,B3,\n"
        + "M8,C7,ACTIVATION_ARS,2016-10-21 10:00,delivered,O7,B3,\n"
        + "M9,C1,DELAY_CORRECTION,2016-10-21 12:00,delivered,O1,,B1\n"
        + "M10,C1,PREORDER_CONFIRMED,2016-10-20 22:05,delivered,O1,,\n",
        "calls/c.csv": CALLS
        + call("K12", "C8", "10-19 08:00")
        + call("K10", "C1", "10-19 22:45") + call("K11", "C2", "10-19 23:30") + call("K16", "C1", "10-19 23:50")
        + call("K0", "C1", "10-20 21:30")
        + call("K7", "C3", "10-20 22:10") + call("K8", "C4", "10-20 22:20")
        + call("K1", "C1", "10-20 22:30", "delivery") + call("K5", "C2", "10-20 22:30", "delivery")
        + call("K13", "", "10-20 22:40") + call("K9", "C5", "10-20 23:10", "delivery")
        + call("K6", "C2", "10-20 23:30", "activation") + call("K2", "C1", "10-20 23:58:30", "delivery")
        + call("K3", "C1", "10-21 00:00:00", "activation") + call("K4", "C1", "10-21 00:00:01", "other")
        + call("K14", "", "10-21 10:30") + call("K15", "C1", "10-21 12:30", "delivery"),
    }


def impact(store, when: str, scope: Scope = Scope()) -> dict[str, dict]:
    cur = store.cursor()
    try:
        rows = metrics.call_impact(cur, Params(parse_moment(when, store.config.tz), store.config, scope))
    finally:
        cur.close()
    return {r["batch_id"]: r for r in rows}


def surges(store, when: str) -> dict[str, tuple[int, str]]:
    """{batch: (count, since)} of the message_call_surge alerts raised at `when`."""
    rep = report.build(store, parse_moment(when, store.config.tz))
    return {a["subject"]: (a["count"], a["since"]) for a in rep["alerts"] if a["kind"] == "message_call_surge"}


@pytest.fixture(scope="module")
def store(open_module_launch):
    return open_module_launch(files())


def test_a_batch_whose_recipients_call(store):
    b1 = impact(store, "2016-10-21 18:00")["B1"]
    # Reached: C1, C2, C3 (C4's message failed; 4 messages all the same). Their calls in
    # (22:00, 00:00]: K7 C3 22:10, K1 C1 22:30, K5 C2 22:30, K2 C1 23:58:30, K3 C1 00:00 (the window
    # end is included). Not: K0 (before the message), K8 (C4 was not reached), K6 (C2 got B2 at
    # 23:00, the more recent message), K4 (00:00:01, after the window).
    assert (b1["messages"], b1["customers_reached"], b1["calls"]) == (4, 3, 5)
    # Baseline, the same windows the day before, (10-19 22:00, 10-20 00:00]: C1 K10 22:45 and
    # K16 23:50, C2 K11 23:30, C3 none = 3 (the first call, K12 10-19 08:00, is before 10-19 22:00).
    assert (b1["baseline_method"], b1["baseline"], b1["excess"]) == ("day before", 3.0, 2.0)
    assert b1["rate_ratio"] == pytest.approx(5 / 3)
    # Every call arriving in (22:00, 00:00]: K7 K8 K1 K5 K13 K9 K6 K2 K3 = 9; B1's 5 are 5/9.
    assert (b1["window_calls"], b1["load_share"]) == (9, pytest.approx(5 / 9))
    # K1 K5 K2 delivery, K3 activation, K7 none; most calls first, then by name
    assert list(b1["reasons"].items()) == [("delivery", 3), ("(none)", 1), ("activation", 1)]
    assert (b1["template"], b1["corrects"]) == ("DELIVERY_DELAYED", None)
    assert b1["first_sent"] == parse_moment("2016-10-20 22:00", store.config.tz)


def test_a_batch_whose_recipients_do_not_call(store):
    b3 = impact(store, "2016-10-21 18:00")["B3"]
    # C6 and C7 never call: no call, a baseline of 0 (no call the day before either), no ratio;
    # K14 (unknown caller, 10:30) is the only call in (10:00, 12:00]: a share of 0.
    assert (b3["customers_reached"], b3["calls"], b3["baseline"], b3["excess"]) == (2, 0, 0.0, 0.0)
    assert (b3["rate_ratio"], b3["window_calls"], b3["load_share"], b3["reasons"]) == (None, 1, 0.0, {})


def test_overlapping_batches_share_a_call_by_the_most_recent_message(store):
    b = impact(store, "2016-10-21 18:00")
    # C2 got B1 at 22:00 and B2 at 23:00: K5 (22:30) is B1's, K6 (23:30) B2's, never both.
    # B2: K6 (C2) and K9 (C5 23:10). Baseline (10-19 23:00, 10-20 01:00]: C2's K11 = 1.
    b2 = b["B2"]
    assert (b2["customers_reached"], b2["calls"], b2["baseline"], b2["excess"]) == (2, 2, 1.0, 1.0)
    assert list(b2["reasons"].items()) == [("activation", 1), ("delivery", 1)]
    # (23:00, 01:00]: K9 K6 K2 K3 K4 = 5
    assert (b2["window_calls"], b2["load_share"]) == (5, 0.4)
    # Each counted call is in exactly one batch: B1 5 + B2 2 + B3 0 + the correction 1 (K15).
    assert sum(r["calls"] for r in b.values()) == 8
    # Most excess first; on equal excess, more calls first (B2 2 calls, the correction 1).
    assert list(b) == ["B1", "B2", "corrects B1", "B3"]


def test_a_correction_without_a_batch_id_is_its_own_batch(store):
    c = impact(store, "2016-10-21 18:00")["corrects B1"]
    # C1 at 12:00; K15 12:30; the day before (10-20 12:00, 14:00] C1 made no call
    assert (c["corrects"], c["template"], c["customers_reached"], c["calls"], c["baseline"]) == (
        "B1", "DELAY_CORRECTION", 1, 1, 0.0)
    assert (c["window_calls"], c["load_share"], c["rate_ratio"]) == (1, 1.0, None)


def test_a_customer_who_called_before_the_batch_is_not_counted(store):
    # At 22:20 (while B1's window is open) only K7 (C3, 22:10) is B1's: C1's K0 came at 21:30.
    b1 = impact(store, "2016-10-20 22:20")["B1"]
    assert b1["calls"] == 1 and b1["reasons"] == {"(none)": 1}
    # The baseline covers the same windows so far: (10-19 22:00, 22:20] holds no call.
    assert b1["baseline"] == 0.0


def test_as_of_counts_calls_ended_by_t_and_windows_so_far(store):
    b = impact(store, "2016-10-20 23:45")
    # B1: K7, K1, K5 (K6 is B2's: B2 was sent at 23:00, before it); the baseline windows so far,
    # (10-19 22:00, 23:45]: K10 and K11 (K16 at 23:50 is not yet inside) = 2.
    assert (b["B1"]["calls"], b["B1"]["baseline"]) == (3, 2.0)
    # B2: K9, K6; (10-19 23:00, 23:45]: K11
    assert (b["B2"]["calls"], b["B2"]["baseline"]) == (2, 1.0)
    assert set(b) == {"B1", "B2"}  # B3 and the correction are not sent yet


def test_filters_restrict_recipients_and_calls(store):
    # Seoul only: C5 (Busan) is out, so B2 reached C2 alone: K6 against K11. Calls in (23:00, 01:00]
    # within the filter: K6 K2 K3 K4 (K9 is C5's, unknown callers only count without a filter).
    b2 = impact(store, "2016-10-21 18:00", Scope(regions=("Seoul",)))["B2"]
    assert (b2["customers_reached"], b2["calls"], b2["baseline"], b2["window_calls"]) == (1, 1, 1.0, 4)


def test_report_json_lists_every_batch_under_messages(store):
    rep = report.build(store, parse_moment("2016-10-21 18:00", store.config.tz))
    assert [b["batch_id"] for b in rep["messages"]["call_impact"]] == ["B1", "B2", "corrects B1", "B3"]
    assert set(rep["messages"]["call_impact"][0]) == {
        "batch_id", "template", "corrects", "messages", "customers_reached", "first_sent", "calls", "baseline",
        "baseline_method", "excess", "rate_ratio", "window_calls", "load_share", "reasons"}
    assert rep["messages"]["call_impact"][0]["first_sent"] == "2016-10-20T22:00:00+09:00"
    assert "retracted_batches" in rep["messages"]


def test_pages_figures_leave_the_impact_to_its_own_call(store):
    """The pages' report (impact=False) skips the query; report.call_impact gives the same rows."""
    moment = parse_moment("2016-10-21 18:00", store.config.tz)
    whole = report.build(store, moment)
    light = report.build(store, moment, impact=False)
    assert "call_impact" not in light["messages"]
    assert light["messages"] == {k: v for k, v in whole["messages"].items() if k != "call_impact"}
    assert report.call_impact(store, moment) == whole["messages"]["call_impact"]
    assert [b["batch_id"] for b in report.call_impact(store, moment, Scope(regions=("Seoul",)))] == \
        [b["batch_id"] for b in report.build(store, moment, Scope(regions=("Seoul",)))["messages"]["call_impact"]]


# -- the baseline without a day before ----------------------------------------------------------

def rate_files() -> dict[str, str]:
    """C1..C4 with orders; calls from 10-20 08:00. B sent 10-20 12:00 to C1 and C2: its day before
    (10-19 12:00) is before the first call, so it uses the launch rate. BX sent 10-21 08:00 to C3:
    exactly 24 h after the first call, so its day before is in the data."""
    return {
        "orders/o.csv": "order_id,customer_id,channel,sku,region,ordered_at\n"
        + "".join(f"O{i},C{i},web,IP7,Seoul,2016-10-01 10:00\n" for i in range(1, 5)),
        "messages/m.csv": MSG
        + "M1,C1,ACTIVATION_AUTO,2016-10-20 12:00,delivered,O1,B,\n"
        + "M2,C2,ACTIVATION_AUTO,2016-10-20 12:00,delivered,O2,B,\n"
        + "M3,C3,ACTIVATION_ARS,2016-10-21 08:00,delivered,O3,BX,\n",
        "calls/c.csv": CALLS
        + call("K1", "C1", "10-20 08:00") + call("K3", "C3", "10-20 09:00") + call("K5", "C9", "10-20 10:00")
        + call("K2", "C2", "10-20 12:30") + call("K4", "", "10-20 16:00") + call("K6", "C3", "10-21 08:30"),
    }


def test_launch_rate_when_the_day_before_is_not_in_the_data(open_launch):
    store = open_launch(rate_files())
    b = impact(store, "2016-10-20 18:00")["B"]
    # Calls by customers with an order, ended by 18:00: K1, K3, K2 = 3 (K5's C9 has no order, K4
    # is unknown) over 4 customers and the 10 h since the first call (08:00): 0.075 per customer
    # per hour; B watched 2 customers for 2 h: baseline 0.075 x 4 = 0.3. B's call: K2.
    assert (b["baseline_method"], b["calls"]) == ("launch rate", 1)
    assert b["baseline"] == pytest.approx(0.3) and b["excess"] == pytest.approx(0.7)

    b = impact(store, "2016-10-21 09:00")
    # BX at 10-21 08:00: the first call (10-20 08:00) is exactly 24 h earlier: the day before is in
    # the data. So far, (08:00, 09:00]: K6 = 1 call, against C3's (10-20 08:00, 09:00]: K3 = 1.
    assert (b["BX"]["baseline_method"], b["BX"]["baseline"], b["BX"]["calls"]) == ("day before", 1.0, 1)
    # B still uses the rate, now K1 K3 K2 K6 = 4 calls over 4 customers and 25 h: 0.04 x 4 h = 0.16
    assert b["B"]["baseline"] == pytest.approx(0.16)


def test_no_call_at_all_gives_no_launch_rate(open_launch):
    store = open_launch({k: v for k, v in rate_files().items() if not k.startswith("calls")})
    b = impact(store, "2016-10-20 18:00")["B"]
    # no call: no first call, no hours to divide by: no baseline, no excess (never a surge)
    assert (b["baseline_method"], b["calls"], b["baseline"], b["excess"]) == ("launch rate", 0, None, None)


# -- the alert -----------------------------------------------------------------------------------

def test_surge_alert_at_the_threshold_edge(open_launch):
    # At 23:45, B1: 3 calls against 2 (1.5x); B2: 2 calls against 1.
    edge = open_launch(files(), toml="[alerts]\ncall_surge_ratio = 1.5\nmin_surge_calls = 3\n")
    assert surges(edge, "2016-10-20 23:45") == {}  # 3 is not more than 1.5 x 2
    above = open_launch(files(), toml="[alerts]\ncall_surge_ratio = 1.4\nmin_surge_calls = 3\n")
    # 3 > 2.8 and 3 calls >= 3: raised, since B1's first call (K7 22:10); B2 has only 2 calls
    assert surges(above, "2016-10-20 23:45") == {"B1": (3, "2016-10-20T22:10:00+09:00")}
    few = open_launch(files(), toml="[alerts]\ncall_surge_ratio = 1.4\nmin_surge_calls = 4\n")
    assert surges(few, "2016-10-20 23:45") == {}  # 3 calls < 4
    # Only batches whose window is open: at 00:00:30 B1's closed (22:00 + 2 h); B2's is open:
    # K9, K6 (K4 has not ended) = 2 against 1 (K11): 2 > 1.4 x 1 but 2 < 3 calls
    assert surges(above, "2016-10-21 00:00:30") == {}
    loose = open_launch(files(), toml="[alerts]\ncall_surge_ratio = 1.0\nmin_surge_calls = 2\n")
    assert surges(loose, "2016-10-21 00:00:30") == {"B2": (2, "2016-10-20T23:10:00+09:00")}
    # At 18:00 no window is open (the correction's closed at 14:00): nothing, whatever the rates
    assert surges(loose, "2016-10-21 18:00") == {}


def test_surge_alert_fields_and_defaults(open_launch):
    store = open_launch(files(), toml="[alerts]\ncall_surge_ratio = 1.4\nmin_surge_calls = 3\n")
    rep = report.build(store, parse_moment("2016-10-20 23:45", store.config.tz))
    [a] = [a for a in rep["alerts"] if a["kind"] == "message_call_surge"]
    assert (a["subject"], a["severity"], a["count"], a["page"]) == ("B1", "warning", 3, "messages")
    assert a["message"] == ("3 calls from the 3 customers batch B1 reached, within 2 h of their message: "
                            "1.5x the baseline (2.0, the day before)")
    # the defaults (3x, 20 calls) never fire on this small launch
    assert surges(open_launch(files()), "2016-10-20 23:45") == {}


def test_surge_rule():
    assert alerts.surge_raised(20, 0.0, 3.0, 20)       # no call expected: any 20 calls
    assert not alerts.surge_raised(19, 0.0, 3.0, 20)
    assert not alerts.surge_raised(30, 10.0, 3.0, 20)  # exactly 3x is not more than 3x
    assert alerts.surge_raised(31, 10.0, 3.0, 20)
    assert not alerts.surge_raised(100, None, 3.0, 20)  # no baseline: never


def test_call_window_from_launch_toml(open_launch):
    store = open_launch(files(), toml="[messages]\ncall_window_hours = 0.5\n")
    b = impact(store, "2016-10-21 18:00")
    # 30 min: B1 keeps K7 (22:10) and K1, K5 (22:30: the window end); B2 keeps K9 (23:10) and K6 (23:30)
    assert (b["B1"]["calls"], b["B2"]["calls"]) == (3, 2)
    # B1's baseline (10-19 22:00, 22:30]: none
    assert b["B1"]["baseline"] == 0.0


def test_markdown_report_lists_the_batches(store):
    md = report.to_markdown(report.build(store, parse_moment("2016-10-21 18:00", store.config.tz)))
    assert ("| B1 | DELIVERY_DELAYED | 2016-10-20T22:00:00+09:00 | 3 | 5 | 3.0 (day before) | 2.0 | 55.6% | "
            "delivery 3, (none) 1, activation 1 |") in md
    assert "| B3 | ACTIVATION_ARS | 2016-10-21T10:00:00+09:00 | 2 | 0 | 0.0 (day before) | 0.0 | 0.0% |  |" in md


@pytest.mark.parametrize("when", ["2016-10-20 22:20", "2016-10-20 23:45", "2016-10-21 00:00:30", "2016-10-21 18:00"])
def test_pandas_reference_agrees_on_the_hand_written_launch(store, when):
    # bench/pandas_reference.py writes every rule again in pandas; both must give the same list
    path = Path(__file__).resolve().parents[2] / "bench" / "pandas_reference.py"
    spec = importlib.util.spec_from_file_location("pandas_reference", path)
    ref = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ref)
    config = load_config(store.data_dir)
    moment = parse_moment(when, store.config.tz)
    theirs = ref.call_impact(ref.load(store.data_dir, config), moment, config, store.config.tz)
    ours = report.build(store, moment)["messages"]["call_impact"]
    assert [(b["batch_id"], b["calls"], b["baseline"], b["window_calls"], b["reasons"]) for b in ours] == [
        (b["batch_id"], b["calls"], pytest.approx(b["baseline"]), b["window_calls"], b["reasons"]) for b in theirs]


# -- the queries the pages draw -------------------------------------------------------------------

def frame(store, name: str, when: str, **extra):
    cur = store.cursor()
    try:
        values = {**Params(parse_moment(when, store.config.tz), store.config).values(), **extra}
        return sql.run(cur, name, values).df()
    finally:
        cur.close()


def test_traced_calls_per_quarter_hour(store):
    df = frame(store, "calls_traced_per_15min", "2016-10-21 18:00", span_hours=48)
    got = {(r.at.strftime("%m-%d %H:%M"), r.batch): r.calls for r in df.itertuples()}
    # B1: K7 22:10, K1 + K5 22:30, K2 23:58:30, K3 00:00; B2: K9 23:10, K6 23:30; the correction: K15
    assert got == {("10-20 22:00", "B1"): 1, ("10-20 22:30", "B1"): 2, ("10-20 23:45", "B1"): 1,
                   ("10-21 00:00", "B1"): 1, ("10-20 23:00", "B2"): 1, ("10-20 23:30", "B2"): 1,
                   ("10-21 12:30", "corrects B1"): 1}
    # the span: only the last 12 h (after 10-21 06:00)
    assert frame(store, "calls_traced_per_15min", "2016-10-21 18:00", span_hours=12)["batch"].tolist() == ["corrects B1"]


def test_one_batch_against_its_day_before(store):
    df = frame(store, "messages_batch_calls", "2016-10-21 18:00", batch="B1")
    got = {(r.at.strftime("%m-%d %H:%M"), r.series[:6]): r.calls for r in df.itertuples()}
    # traced as above; the day before K10 22:45, K11 23:30, K16 23:50, drawn 24 h later
    assert got == {("10-20 22:00", "traced"): 1, ("10-20 22:30", "traced"): 2, ("10-20 23:45", "traced"): 1,
                   ("10-21 00:00", "traced"): 1, ("10-20 22:45", "the sa"): 1, ("10-20 23:30", "the sa"): 1,
                   ("10-20 23:45", "the sa"): 1}
    assert sum(df[df["series"] == "the same customers the day before"]["calls"]) == impact(
        store, "2016-10-21 18:00")["B1"]["baseline"]


def test_markers_name_each_batch_and_correction(store):
    df = frame(store, "launch_markers", "2016-10-21 18:00")
    assert [(r.at.strftime("%m-%d %H:%M"), r.kind, r.name, r.label) for r in df.itertuples()] == [
        ("10-20 22:00", "message batch", "B1", "B1 (4 messages)"),
        ("10-20 23:00", "message batch", "B2", "B2 (2 messages)"),
        ("10-21 10:00", "message batch", "B3", "B3 (2 messages)"),
        ("10-21 12:00", "correction", "corrects B1", "corrects B1 (1 messages)")]


# -- the charts and the table the pages show ---------------------------------------------------

def leaves(spec: dict, data: dict | None = None) -> list[dict]:
    data = spec.get("data", data)
    if "layer" not in spec:
        return [{**spec, "data": data}]
    return [leaf for layer in spec["layer"] for leaf in leaves(layer, data)]


def rows_of(spec: dict, leaf: dict) -> list[dict]:
    return spec["datasets"][leaf["data"]["name"]]


def test_calls_chart_draws_traced_bars_and_names_the_batches(store):
    when = "2016-10-21 18:00"
    chart = call_charts.per_15min(frame(store, "calls_per_15min", when, span_hours=48),
                                  frame(store, "launch_markers", when),
                                  frame(store, "calls_traced_per_15min", when, span_hours=48))
    spec = chart.to_dict()
    bars, lines, rules, names = leaves(spec)
    marks = [leaf["mark"]["type"] if isinstance(leaf["mark"], dict) else leaf["mark"] for leaf in (bars, lines, rules, names)]
    assert marks == ["bar", "line", "rule", "text"]
    assert (bars["encoding"]["color"]["field"], bars["encoding"]["y"]["stack"]) == ("batch", "zero")
    assert sum(r["calls"] for r in rows_of(spec, bars)) == 8  # every traced call once
    # every batch and the correction named at its rule, from the top of the chart
    # a name within 3 h of the previous one starts lower (B2 an hour after B1, the correction 2 h after B3)
    assert [(r["name"], r["y_px"]) for r in rows_of(spec, names)] == [("B1", 4), ("B2", 114), ("B3", 4),
                                                                      ("corrects B1", 114)]
    assert names["encoding"]["text"]["field"] == "name"
    assert names["encoding"]["y"] == {"field": "y_px", "type": "quantitative", "scale": None}
    # without traced calls or marks the chart is the lines alone
    assert call_charts.per_15min(frame(store, "calls_per_15min", when, span_hours=48), None).to_dict()["mark"]["type"] == "line"


def test_impact_table_and_batch_charts(store):
    rep = report.build(store, parse_moment("2016-10-21 18:00", store.config.tz))
    table = msg_charts.impact_frame(rep["messages"]["call_impact"], store.config.tz)
    assert table[["rank", "batch_id", "calls"]].values.tolist() == [[1, "B1", 5], [2, "B2", 2], [3, "corrects B1", 1],
                                                                      [4, "B3", 0]]
    assert table["first_sent"].iloc[0] == pd.Timestamp("2016-10-20 22:00")  # launch-local
    assert table["reasons"].tolist() == ["delivery 3, (none) 1, activation 1", "activation 1, delivery 1",
                                         "delivery 1", ""]
    spec = msg_charts.batch_calls(frame(store, "messages_batch_calls", "2016-10-21 18:00", batch="B1"), None).to_dict()
    assert spec["encoding"]["color"]["scale"]["domain"] == ["traced to the batch", "the same customers the day before"]
    assert spec["encoding"]["y"]["stack"] is None  # side by side in time, not added up
    bars = msg_charts.reasons(rep["messages"]["call_impact"][0]["reasons"]).to_dict()
    assert bars["datasets"][bars["data"]["name"]] == [{"reason": "delivery", "calls": 3},
                                                      {"reason": "(none)", "calls": 1},
                                                      {"reason": "activation", "calls": 1}]


# -- decided when files arrive: a drop changes exactly what a full load would ---------------------

def test_a_drop_retraces_calls_as_a_full_load_would(tmp_path, monkeypatch):
    """Force the incremental path and compare with one full load after a drop that: sends C3 a
    B2 message at 10-20 22:50 (K7 at 22:10 stays B1's; nothing of C3's later), re-sends M2 (B1 to
    C2) as failed (C2 no longer reached by B1: K5 untraced), moves M6 (B2, naming C5's O5) to C6,
    whose call K17 at 23:20 (already loaded) becomes B2's though no order or call of C6's is in the
    drop, and moves C1's order O1 to Busan."""
    monkeypatch.setattr(Store, "DELTA_SHARE", 1e9)
    base = files()
    base["calls/c.csv"] += call("K17", "C6", "10-20 23:20", "stock")
    data = make_launch(tmp_path / "inc", base)
    store = Store(data)
    try:
        store.refresh()
        (data / "messages" / "m_002.csv").write_text(
            MSG + "M11,C3,ACTIVATION_AUTO,2016-10-20 22:50,delivered,O3,B2,\n"
                  "M2,C2,DELIVERY_DELAYED,2016-10-20 22:00,failed,O2,B1,\n"
                  "M6,C6,ACTIVATION_AUTO,2016-10-20 23:00,delivered,O5,B2,\n", encoding="utf-8")
        (data / "orders" / "o_002.csv").write_text(
            "order_id,customer_id,channel,sku,region,ordered_at\nO1,C1,web,IP7,Busan,2016-10-07 10:00\n",
            encoding="utf-8")
        assert store.refresh() == 2
        cur = store.cursor()
        assert cur.execute("SELECT count(*) FROM duckdb_schemas() WHERE schema_name = 'lb_delta'").fetchone() == (1,)
        cur.close()
        full_dir = make_launch(tmp_path / "full", base)
        for rel in ("messages/m_002.csv", "orders/o_002.csv"):
            (full_dir / rel).write_text((data / rel).read_text(encoding="utf-8"), encoding="utf-8")
        fresh = Store(full_dir)
        try:
            fresh.refresh()
            for query in ("SELECT batch, customer_id, sent_at, list_sort(regions) FROM batch_reach ORDER BY ALL",
                          "SELECT call_id, customer_id, traced, day_before_of FROM call_batches"
                          " ORDER BY ALL"):
                ours, theirs = (s.cursor().execute(query).fetchall() for s in (store, fresh))
                assert ours == theirs, query
            moment = parse_moment("2016-10-21 18:00", store.config.tz)
            assert report.build(store, moment)["messages"] == report.build(fresh, moment)["messages"]
            b = {r["batch_id"]: r for r in report.build(store, moment)["messages"]["call_impact"]}
            # B1 reached C1, C3 (C2's message failed now): K7, K1, K2, K3; B2: C2 (K6), C3 (none
            # after 22:50), C6 (K17); C5 no longer (K9 untraced)
            assert (b["B1"]["customers_reached"], b["B1"]["calls"]) == (2, 4)
            assert (b["B2"]["customers_reached"], b["B2"]["calls"]) == (3, 2)
            busan = report.build(store, moment, Scope(regions=("Busan",)))["messages"]["call_impact"]
            assert {r["batch_id"]: r["calls"] for r in busan}["B1"] == 3  # C1's K1, K2, K3 (O1 now in Busan)
        finally:
            fresh.close()
    finally:
        store.close()


def test_reach_and_customer_lists_name_the_orders_the_messages_name(tmp_path):
    # C1 has O1 (web, Seoul, IP7, CJ) and O2 (store, Busan, IP8, Hanjin); B1 names both for C1,
    # twice O3 for C3 (one order), an order nobody carries (O9) for C9, and no order for C7.
    # C5 has O5 and O6 (app, Daegu, IP7, no shipment); B1 names only O5.
    orders = ("order_id,customer_id,channel,sku,region,ordered_at\n"
              "O1,C1,web,IP7,Seoul,2016-10-07 10:00\nO2,C1,store,IP8,Busan,2016-10-07 11:00\n"
              "O3,C3,web,IP7,Seoul,2016-10-07 10:00\n"
              "O5,C5,web,IP7,Seoul,2016-10-07 10:00\nO6,C5,app,IP7,Daegu,2016-10-08 10:00\n")
    shipments = ("event_id,order_id,courier,event,event_at,hub\n"
                 "E1,O1,CJ,packed,2016-10-19 10:00,\nE2,O2,Hanjin,packed,2016-10-19 10:00,\n"
                 "E3,O2,CJ,picked_up,2016-10-19 12:00,\nE5,O5,CJ,packed,2016-10-19 10:00,\n")
    messages = MSG + "".join(f"{mid},{cust},DELIVERY_DELAYED,2016-10-20 {at},delivered,{order},B1,\n"
                             for mid, cust, at, order in [
                                 ("M1", "C1", "22:01", "O1"), ("M2", "C1", "22:00", "O2"),
                                 ("M3", "C3", "22:00", "O3"), ("M4", "C3", "22:05", "O3"),
                                 ("M9", "C9", "22:00", "O9"), ("M7", "C7", "22:02", ""),
                                 ("M5", "C5", "22:00", "O5")])
    store = Store(make_launch(tmp_path, {"orders/o.csv": orders, "shipments/s.csv": shipments,
                                         "messages/m.csv": messages}))
    try:
        store.refresh()
        cur = store.cursor()
        reach = cur.execute("SELECT customer_id, strftime(sent_at AT TIME ZONE 'Asia/Seoul', '%H:%M'),"
                            " list_sort(channels), list_sort(regions), list_sort(skus), list_sort(couriers)"
                            " FROM batch_reach WHERE batch = 'B1' ORDER BY 1").fetchall()
        assert reach == [
            ("C1", "22:00", ["store", "web"], ["Busan", "Seoul"], ["IP7", "IP8"], ["CJ", "Hanjin"]),
            ("C3", "22:00", ["web"], ["Seoul"], ["IP7"], []),
            ("C5", "22:00", ["web"], ["Seoul"], ["IP7"], ["CJ"]),
            ("C7", "22:02", [], [], [], []),
            ("C9", "22:00", [], [], [], []),
        ]
        customers = cur.execute("SELECT customer_id, list_sort(channels), list_sort(regions), list_sort(skus),"
                                " list_sort(couriers) FROM customer_facts ORDER BY 1").fetchall()
        assert customers == [
            ("C1", ["store", "web"], ["Busan", "Seoul"], ["IP7", "IP8"], ["CJ", "Hanjin"]),
            ("C3", ["web"], ["Seoul"], ["IP7"], []),
            ("C5", ["app", "web"], ["Daegu", "Seoul"], ["IP7"], ["CJ"]),
        ]
        cur.close()
    finally:
        store.close()
