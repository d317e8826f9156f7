"""Incident review engine: replay moments, alert history, the exported report.

The hand-written launch (Asia/Seoul, default thresholds), with what happens when:

    10-20 20:10  O1 ordered (promised delivery 10-21 12:00); 20:40 O2 (promised 10-21 13:00)
    10-20 22:30  M1 sent in quiet hours (21:00-08:00)      -> quiet_hours_messages for 24 h
    10-21 09:00  O3 ordered
    10-21 10:00  M2 (batch B2); 11:00 M3 corrects B2        -> retracted_batch for 24 h
    10-21 12:00  O1 past its promise, not delivered         -> delivery_promise_breach (1)
    10-21 13:00  O2 past its promise too                    -> delivery_promise_breach (2)
    10-21 13:30  O2 delivered; 14:30 O1 delivered           -> 14:00: 1; 15:00: cleared
    10-21 23:30  K1 ends: live T

Hourly moments: 10-20 20:00 ... 10-21 23:00 (28), then live T 23:30. By hand:
quiet_hours_messages raised 10-20 23:00 (first hour after 22:30), cleared 10-21 23:00 (the 24 h
window (23:00, 23:00] no longer holds M1), peak 1; retracted_batch raised 10-21 11:00, still
raised at live T, peak 1; delivery_promise_breach raised 12:00, cleared 15:00, peak 2 at 13:00.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from launch_files import make_launch

from launchboard import i18n, report, review
from launchboard.history import WARM_THREAD, HistoryCache, alert_history
from launchboard.loader import open_store
from launchboard.metrics import Scope
from launchboard.review import AlertPeriod

ROOT = Path(__file__).resolve().parents[2]
SEOUL = ZoneInfo("Asia/Seoul")
FILES = {
    "orders/o.csv": (
        "order_id,customer_id,channel,sku,region,ordered_at,phone,allocated_at,promised_delivery_by\n"
        "O1,C1,web,IP7-128-JBK,Seoul,2016-10-20 20:10,010-1234-5678,2016-10-20 21:00,2016-10-21 12:00\n"
        "O2,C2,store,IP7-32-BLK,Busan,2016-10-20 20:40,010-9876-5432,2016-10-20 21:00,2016-10-21 13:00\n"
        "O3,C3,app,IP7-32-BLK,Seoul,2016-10-21 09:00,,,\n"
    ),
    "shipments/s.csv": (
        "event_id,order_id,courier,event,event_at,hub\n"
        "E1,O1,CJ,delivered,2016-10-21 14:30,Seoul HUB\n"
        "E2,O2,CJ,delivered,2016-10-21 13:30,Busan HUB\n"
    ),
    "messages/m.csv": (
        "message_id,customer_id,template,sent_at,status,order_id,batch_id,corrects_batch_id\n"
        "M1,C1,DELIVERY_DELAYED,2016-10-20 22:30,delivered,O1,B1,\n"
        "M2,C2,SHIP_NOTICE,2016-10-21 10:00,delivered,O2,B2,\n"
        "M3,C2,SHIP_CORRECTION,2016-10-21 11:00,delivered,O2,B3,B2\n"
    ),
    "calls/c.csv": (
        "call_id,queue,arrived_at,ended_at,outcome\n"
        "K1,iphone,2016-10-21 23:00,2016-10-21 23:30,abandoned\n"
    ),
}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2016, 10, day, hour, minute, tzinfo=SEOUL)


@pytest.fixture(scope="module")
def store(open_module_launch):
    return open_module_launch(FILES)


@pytest.fixture(scope="module")
def data_dir(store) -> Path:
    return store.data_dir


@pytest.fixture(scope="module")
def moments(store):
    return review.replay_moments(store)


@pytest.fixture(scope="module")
def history(store, moments):
    return alert_history(store, moments)


def test_replay_moments_are_hours_from_the_first_order_to_live_t(moments):
    assert moments[0] == at(20, 20) and moments[-1] == at(21, 23, 30)
    assert len(moments) == 29 and moments[-2] == at(21, 23)
    assert all(b - a == timedelta(hours=1) for a, b in zip(moments[:-2], moments[1:-1]))
    assert review.step_of(moments) == timedelta(hours=1)


def test_a_long_launch_gets_a_coarser_step(store):
    coarse = review.replay_moments(store, max_moments=10)  # 27.5 h / 10 -> every 3 h
    assert review.step_of(coarse) == timedelta(hours=3)
    assert coarse[:3] == [at(20, 20), at(20, 23), at(21, 2)]
    assert coarse[-2:] == [at(21, 23), at(21, 23, 30)] and len(coarse) == 11


def test_replay_at_two_moments_shows_different_alerts(store):
    morning = {a["kind"] for a in report.build(store, at(21, 8))["alerts"]}
    lunch = {a["kind"] for a in report.build(store, at(21, 13))["alerts"]}
    assert morning == {"quiet_hours_messages"}
    assert lunch == {"quiet_hours_messages", "retracted_batch", "delivery_promise_breach"}


def test_alert_history_first_raised_cleared_and_peak(history, moments):
    assert review.alert_periods(history, moments) == [
        AlertPeriod("quiet_hours_messages", None, "warning", at(20, 23), at(21, 23), 1, at(20, 23)),
        AlertPeriod("retracted_batch", None, "warning", at(21, 11), None, 1, at(21, 11)),
        AlertPeriod("delivery_promise_breach", None, "critical", at(21, 12), at(21, 15), 2, at(21, 13)),
    ]
    counts = {r["at"]: r["count"] for r in history if r["kind"] == "delivery_promise_breach"}
    assert counts == {at(21, 12): 1, at(21, 13): 2, at(21, 14): 1}


def test_history_is_the_same_whatever_the_number_of_workers(store, moments, history):
    assert alert_history(store, moments, workers=1) == history


def test_periods_up_to_a_moment_and_in_a_window(history, moments):
    upto = [m for m in moments if m <= at(21, 14)]
    periods = review.alert_periods(history, upto)
    delivery = [p for p in periods if p.kind == "delivery_promise_breach"]
    assert [(p.raised_at, p.cleared_at, p.peak) for p in delivery] == [(at(21, 12), None, 2)]
    everything = review.alert_periods(history, moments)
    assert {p.kind for p in review.in_window(everything, at(21, 16), at(21, 18))} == {
        "quiet_hours_messages", "retracted_batch"}
    assert review.in_window(everything, at(20, 20), at(20, 22)) == []


def test_alert_summary_per_alert(history, moments):
    summary = review.alert_summary(review.alert_periods(history, moments))
    row = summary[summary["kind"] == "delivery_promise_breach"].iloc[0]
    assert (row["first_raised"], row["cleared"], row["peak"], row["peak_at"], row["times_raised"]) == (
        at(21, 12), at(21, 15), 2, at(21, 13), 1)
    assert list(summary["kind"]) == ["quiet_hours_messages", "retracted_batch", "delivery_promise_breach"]


def _cli_md(data: Path, as_of: str) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "launchboard", "report", "--data", str(data), "--as-of", as_of, "--format", "md"],
        cwd=ROOT, capture_output=True, text=True, check=True)
    return out.stdout


def test_exported_markdown_is_the_cli_report_then_the_window_history(store, data_dir, moments, history):
    inc = review.incident(store, at(21, 9), at(21, 16), moments=moments, history=history)
    md = review.to_markdown(inc, store.config.tz)
    cli = _cli_md(data_dir, "2016-10-21 16:00")
    assert md.startswith(cli) and "| warning | retracted_batch |" in cli
    tail = md[len(cli):]
    assert tail.startswith(f"{review.HISTORY_HEADING}, 2016-10-21T09:00:00+09:00 to 2016-10-21T16:00:00+09:00\n")
    assert ("| critical | delivery_promise_breach |  | 2016-10-21T12:00:00+09:00 | 2016-10-21T15:00:00+09:00 | "
            "2 | 2016-10-21T13:00:00+09:00 |") in tail
    # Quiet hours was raised before the window and is still raised at its end.
    assert ("| warning | quiet_hours_messages |  | 2016-10-20T23:00:00+09:00 | still raised at the window's end | "
            "1 | 2016-10-20T23:00:00+09:00 |") in tail


def test_the_export_computes_its_own_history_when_none_is_given(store, moments, history):
    given = review.incident(store, at(21, 9), at(21, 16), moments=moments, history=history)
    assert review.incident(store, at(21, 9), at(21, 16)) == given


def test_exported_markdown_equals_the_cli_on_the_sample(tmp_path):
    sample = ROOT / "sample_data"
    if not (sample / "orders").is_dir():
        pytest.skip("sample_data/ has not been generated")
    s = open_store(sample)
    try:
        moments = review.replay_moments(s)
        end = moments[min(12, len(moments) - 1)]
        with i18n.use(s.config.locale):  # the sample's launch speaks Korean, as the CLI does by default
            md = review.to_markdown(review.incident(s, moments[0], end, moments=moments), s.config.tz)
            heading = review.history_heading()
    finally:
        s.close()
    cli = _cli_md(sample, end.isoformat())
    assert s.config.locale == "ko" and heading == "## 경보 이력"
    assert md.startswith(cli) and md[len(cli):].startswith(heading)


def test_html_export_is_self_contained_with_the_same_numbers(store, moments, history):
    inc = review.incident(store, at(21, 9), at(21, 16), moments=moments, history=history)
    page = review.incident_html(store, inc)
    assert "<svg" in page and "<script" not in page and "src=\"http" not in page
    assert "<td>delivered</td><td class=\"num\">2</td>" in page  # O1 and O2 delivered by 16:00
    assert "<h2>Alert history, 2016-10-21T09:00:00+09:00 to 2016-10-21T16:00:00+09:00</h2>" in page


def test_markdown_html_subset():
    text = "# T\n\nAs of **x** & `y`.\n\n- a\n- *b*\n\n| k | n |\n|---|---:|\n| <a> | 3 |\n"
    assert review.markdown_html(text) == (
        "<h1>T</h1>\n<p>As of <strong>x</strong> &amp; <code>y</code>.</p>\n<ul><li>a</li><li><em>b</em></li></ul>\n"
        "<table><thead><tr><th>k</th><th>n</th></tr></thead><tbody><tr><td>&lt;a&gt;</td><td class=\"num\">3</td>"
        "</tr></tbody></table>"
    )


def test_timeline_chart_shows_each_period_from_raised_to_cleared(store, moments, history):
    from launchboard.charts import review as charts

    periods = review.alert_periods(history, [m for m in moments if m <= at(21, 14)])
    frame = charts.periods_frame(periods, at(21, 14), SEOUL)
    assert frame[["alert", "raised", "cleared", "peak"]].to_dict("records") == [
        {"alert": "quiet_hours_messages", "raised": "2016-10-20 23:00", "cleared": "still raised", "peak": 1},
        {"alert": "retracted_batch", "raised": "2016-10-21 11:00", "cleared": "still raised", "peak": 1},
        {"alert": "delivery_promise_breach", "raised": "2016-10-21 12:00", "cleared": "still raised", "peak": 2},
    ]
    assert str(frame["end"].iloc[0]) == "2016-10-21 14:00:00"  # open periods end at the moment
    spec = charts.timeline(review.timeline_frames(store, moments[0], at(21, 14))[0], None, frame,
                           charts.local(at(21, 14), SEOUL), (charts.local(moments[0], SEOUL),
                                                             charts.local(moments[-1], SEOUL))).to_dict()
    bars = spec["vconcat"][1]["layer"][0]
    assert bars["mark"]["type"] == "bar" and bars["encoding"]["x2"]["field"] == "end"
    assert any(t["field"] == "peak" for t in bars["encoding"]["tooltip"])


def test_history_cache_evaluates_again_only_what_a_drop_can_change(tmp_path):
    """On the sample launch: the same version evaluates nothing; after a drop with one scan at
    10-22 17:30 only the moments from 17:30 on (live T, 17:59:47) are evaluated, and the history
    equals a full evaluation. With a filter, a drop means every moment again."""
    data = tmp_path / "launch"
    shutil.copytree(ROOT / "sample_data", data)
    store = open_store(data)
    evaluated: list[list[datetime]] = []

    def evaluate(s, moments, scope):
        evaluated.append(list(moments))
        return alert_history(s, moments, scope)

    cache = HistoryCache(evaluate)
    head = "event_id,order_id,courier,event,event_at,hub\n"
    try:
        moments = review.replay_moments(store)
        first = cache.history(store, moments)
        assert evaluated == [moments]
        assert cache.history(store, moments) == first and len(evaluated) == 1
        (data / "shipments" / "s_late_1.csv").write_text(head + "EX1,O0000002,CJ,at_hub,2016-10-22 17:30,Daejeon HUB\n")
        assert store.refresh() == 1
        moments = review.replay_moments(store)
        assert moments[-1] == datetime(2016, 10, 22, 17, 59, 47, tzinfo=SEOUL)
        after = cache.history(store, moments)
        assert evaluated[1] == [moments[-1]]
        assert after == alert_history(store, moments)

        seoul, last = Scope(regions=("Seoul",)), moments[-3:]
        cache.history(store, last, seoul)
        (data / "shipments" / "s_late_2.csv").write_text(head + "EX2,O0000002,CJ,at_hub,2016-10-22 17:40,Daejeon HUB\n")
        assert store.refresh() == 1
        assert cache.history(store, last, seoul) == alert_history(store, last, seoul)
        assert evaluated[-1] == last
    finally:
        store.close()


def test_history_cache_does_not_hand_one_store_the_rows_of_another(tmp_path):
    """Two Stores of one folder both start at version 1: the second, opened after a file
    arrived, gets its own history (every moment evaluated), not the first one's rows."""
    data = make_launch(tmp_path, FILES)
    first, second = open_store(data), None
    evaluated: list[list[datetime]] = []

    def evaluate(s, moments, scope):
        evaluated.append(list(moments))
        return alert_history(s, moments, scope)

    cache = HistoryCache(evaluate)
    try:
        moments = [at(21, 9), at(21, 12), at(21, 15)]
        assert cache.history(first, moments) == alert_history(first, moments)
        # O4 promised by 10:00 and never delivered: a breach from 10:00 that the first Store lacks
        (data / "orders" / "o2.csv").write_text(
            "order_id,customer_id,channel,sku,region,ordered_at,promised_delivery_by\n"
            "O4,C4,web,IP7-32-BLK,Seoul,2016-10-21 08:00,2016-10-21 10:00\n")
        second = open_store(data)
        assert first.version == second.version == 1
        got = cache.history(second, moments)
        assert evaluated[-1] == moments and len(evaluated) == 2
        assert got == alert_history(second, moments)
        assert got != alert_history(first, moments)
    finally:
        first.close()
        if second is not None:
            second.close()


def test_history_cache_warms_each_version_once_in_the_background(tmp_path):
    """warm() evaluates the whole launch's history on a Store thread, once per version: the
    review then finds it (nothing evaluated when it asks); after a file arrives only the moments
    it can change are evaluated; close() waits for a warm under way."""
    data = make_launch(tmp_path, FILES)
    store = open_store(data)
    evaluated: list[list[datetime]] = []

    def evaluate(s, moments, scope):
        evaluated.append(list(moments))
        return alert_history(s, moments, scope)

    now = [0.0]
    cache = HistoryCache(evaluate, clock=lambda: now[0])
    try:
        moments = review.replay_moments(store)
        thread = cache.warm(store, review.replay_moments)
        assert thread is not None and thread.name == WARM_THREAD
        thread.join()
        assert evaluated == [moments]
        assert cache.warm(store, review.replay_moments) is None  # this version is done
        assert cache.history(store, moments) == alert_history(store, moments) and len(evaluated) == 1
        (data / "orders" / "o2.csv").write_text(
            "order_id,customer_id,channel,sku,region,ordered_at,promised_delivery_by\n"
            "O4,C4,web,IP7-32-BLK,Seoul,2016-10-21 08:00,2016-10-21 10:00\n")
        assert store.refresh() == 1
        now[0] = HistoryCache.WARM_EVERY_S - 1  # a new version, but the last warm-up is too recent
        assert cache.warm(store, review.replay_moments) is None
        now[0] = HistoryCache.WARM_EVERY_S
        later = cache.warm(store, review.replay_moments)
        assert later is not None
        later.join()
        moments = review.replay_moments(store)
        assert len(evaluated) == 2  # the new version's moments that the file can change
        assert cache.history(store, moments) == alert_history(store, moments) and len(evaluated) == 2
    finally:
        store.close()


def test_closing_a_store_waits_for_its_background_work(tmp_path):
    store = open_store(make_launch(tmp_path, FILES))
    started, release, done = threading.Event(), threading.Event(), []

    def work():
        started.set()
        release.wait(30)
        cur = store.cursor()  # still open: close() has not closed the database yet
        done.append(cur.execute("SELECT count(*) FROM orders").fetchone()[0])
        cur.close()

    thread = store.background(work, "test-reader")
    started.wait(30)
    closer = threading.Thread(target=store.close)
    closer.start()
    assert closer.is_alive()  # waiting for the reader
    release.set()
    closer.join(30)
    assert not thread.is_alive() and not closer.is_alive() and done == [3]
