"""Launch status page: runs on every kind of folder; its tiles are the report's numbers.

Most tests use the hand-written ``hub_launch`` of conftest.py (live T = 2016-10-08 10:30).
"""
from __future__ import annotations

import os
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo


from launchboard import report
from launchboard.loader import open_store
from launchboard.metrics import Scope

SEOUL = ZoneInfo("Asia/Seoul")


def moment_state(moment: datetime) -> dict:
    return {"as_of_mode": "Moment", "as_of_date": moment.date(), "as_of_time": moment.time()}


def tiles(at) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta or None) for m in at.metric}  # AppTest shows no delta as ""


def expected_tiles(data: Path, as_of: datetime, scope: Scope = Scope()) -> dict[str, tuple[str, str | None]]:
    """The six tiles worked out from report.build at T and T - 1 h (independent formatting)."""
    store = open_store(data)
    try:
        now, before = report.build(store, as_of, scope), report.build(store, as_of - timedelta(hours=1), scope)
    finally:
        store.close()

    def count(a, b):
        return f"{a:,}", (f"{a - b:+,}" if a != b else "0")

    def pct(a, b):
        if a is None:
            return "n/a", None
        if b is None:
            return f"{a:.1%}", None
        pp = round((a - b) * 100, 1)
        return f"{a:.1%}", (f"{pp:+.1f} pp" if pp else "0")

    def lost(r):
        c = r["calls"]
        return (c["abandoned"] + c["rejected"]) / c["offered"] if c["offered"] else None

    o, o1 = now["orders"], before["orders"]
    return {
        "Orders": count(o["total"], o1["total"]),
        "Delivered": count(o["by_stage"]["delivered"], o1["by_stage"]["delivered"]),
        "Activated": count(o["by_stage"]["activated"], o1["by_stage"]["activated"]),
        "Activation failure rate": pct(now["activations"]["failure_rate"], before["activations"]["failure_rate"]),
        "Abandon + reject rate": pct(lost(now), lost(before)),
        "Message errors": count(now["messages"]["failed"], before["messages"]["failed"]),
    }


def test_tiles_equal_report_live_and_alert_links(app_at, tmp_path, hub_launch):
    data = hub_launch(tmp_path)
    at = app_at("status", data)
    assert not at.exception
    live_t = datetime(2016, 10, 8, 10, 30, tzinfo=SEOUL)
    got = tiles(at)
    assert got == expected_tiles(data, live_t)
    # worked by hand at 10:30: 21 orders (O21 new within the hour: +1); A1 failed, A2 success,
    # A3 failed → 2/3; an hour earlier (9:30) only A1 had finished → 100 %
    assert got["Orders"] == ("21", "+1")
    assert got["Activated"] == ("1", "+1")
    assert got["Activation failure rate"] == ("66.7%", "-33.3 pp")
    assert got["Abandon + reject rate"] == ("50.0%", "+50.0 pp")
    assert got["Message errors"] == ("2", "+1")
    # the stalled hub is listed with its subject, linking to the pipeline page
    text = " ".join(m.value for m in at.markdown)
    assert "`stalled_hub` · **Daejeon HUB**" in text and "since 2016-10-08 08:00" in text
    assert at.get("page_link"), "each alert links to its page"


def test_filter_and_moment_change_the_figures(app_at, tmp_path, hub_launch):
    data = hub_launch(tmp_path)
    at = app_at("status", data)
    at.multiselect(key="f_region").set_value(["Busan"]).run()
    assert not at.exception
    live_t = datetime(2016, 10, 8, 10, 30, tzinfo=SEOUL)
    assert tiles(at) == expected_tiles(data, live_t, Scope(regions=("Busan",)))
    assert tiles(at)["Orders"] == ("10", "0")  # O11..O20

    moment = datetime(2016, 10, 8, 9, 45, tzinfo=SEOUL)
    at.multiselect(key="f_region").set_value([]).run()
    at.radio(key="as_of_mode").set_value("Moment").run()
    at.date_input(key="as_of_date").set_value(date(2016, 10, 8))
    at.time_input(key="as_of_time").set_value(time(9, 45)).run()
    assert not at.exception
    assert tiles(at) == expected_tiles(data, moment)
    assert tiles(at)["Orders"] == ("20", "0")  # O21 is not ordered yet
    assert "stalled_hub" not in " ".join(m.value for m in at.markdown)  # at 07:45 nothing was at a hub


def test_moment_from_the_url(app_at, tmp_path, hub_launch):
    data = hub_launch(tmp_path)
    at = app_at("status", data, query={"as_of": "2016-10-08T09:15"})
    assert not at.exception
    assert tiles(at) == expected_tiles(data, datetime(2016, 10, 8, 9, 15, tzinfo=SEOUL))


def test_freshness_lists_every_table_and_warns_only_live(app_at, tmp_path, hub_launch):
    data = hub_launch(tmp_path)
    (data / "calls" / "calls.csv").unlink()
    three_hours_ago = (datetime.now() - timedelta(hours=3)).timestamp()
    os.utime(data / "shipments" / "shipments.csv", (three_hours_ago, three_hours_ago))
    at = app_at("status", data)
    fresh = at.dataframe[0].value.set_index("table")
    assert list(fresh.index) == ["orders", "shipments", "activations", "messages", "calls"]
    assert fresh["files"].tolist() == [1, 1, 1, 1, 0]
    assert fresh.loc["calls", "status"] == "no file yet"
    assert fresh.loc["orders", "status"] == "ok"
    assert fresh.loc["shipments", "status"].startswith("stale: no file for 18")  # 180 min (181 if slow)
    assert fresh.loc["shipments", "newest event"] == "2016-10-08 08:00"
    assert [w.value.split(" feed")[0] for w in at.warning] == ["**shipments**"]
    # replaying a moment: the stale warning is a live-only signal
    at = app_at("status", data, state=moment_state(datetime(2016, 10, 8, 10, 0, tzinfo=SEOUL)))
    assert at.dataframe[0].value.set_index("table").loc["shipments", "status"] == "ok"
    assert not at.warning


def test_empty_folder(app_at, tmp_path):
    at = app_at("status", tmp_path)
    assert not at.exception
    assert "No data yet" in at.info[0].value


def test_only_orders(app_at, orders_only_launch):
    only = orders_only_launch
    at = app_at("status", only)
    assert not at.exception
    assert tiles(at)["Orders"] == ("21", "+1")
    assert tiles(at)["Activation failure rate"] == ("n/a", None)


def test_sample_data_matches_report(app_at, sample_dir):
    store = open_store(sample_dir)
    try:
        live_t = report.resolve_as_of(store, None)
    finally:
        store.close()
    moment = (live_t - timedelta(hours=6)).astimezone(SEOUL).replace(minute=0, second=0, microsecond=0)
    at = app_at("status", sample_dir, query={"as_of": moment.strftime("%Y-%m-%dT%H:%M")})
    assert not at.exception
    assert tiles(at) == expected_tiles(sample_dir, moment)
