"""Replay: a finished launch written into a live folder as timed drops (issue 5).

The hand-written launch below, with the launch moment each row becomes known and its
10-minute window (windows start at 09:00 launch time):

    09:00-09:10  O1 reserved (updated_at 09:03)                         + orders_broken.csv (copied whole)
    09:10-09:20  O2 (updated_at 09:15); call K1 ended 09:18 (CP949 file)
    09:20-09:30  O1 re-sent, allocated (updated_at 09:25); message M1 sent 09:20
    09:30-09:40  E1 packed 09:35
    09:40-09:50  O3 (no updated_at: ordered_at 09:41)
    09:50-10:00  E2 picked_up 09:52, E3 (bad event_at: goes with E2); A1 pending (updated_at 09:55)
    10:00-10:10  A1 re-sent, success (updated_at 10:05)
"""
from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from launchboard import report
from launchboard.cli import main
from launchboard.loader import Store, open_store
from launchboard.replay import ReplayError, plan, publish, replay, write_parts

from launch_files import make_launch

SEOUL = ZoneInfo("Asia/Seoul")

ORDERS = (
    "order_id,customer_id,channel,sku,region,ordered_at,allocated_at,updated_at\n"
    "O1,C1,web,IP7-128-JBK,Seoul,2016-10-07 09:03,,2016-10-07 09:03\n"
    "O2,C2,sms,IP7-32-BLK,Busan,2016-10-07 09:15,,2016-10-07 09:15\n"
    "O1,C1,web,IP7-128-JBK,Seoul,2016-10-07 09:03,2016-10-07 09:25,2016-10-07 09:25\n"
    "O3,C3,store,IP7-32-BLK,Seoul,2016-10-07 09:41,,\n"
)
BROKEN = "order_id,customer_id,channel,sku,region\nO9,C9,web,IP7-32-BLK,Seoul\n"  # no ordered_at
SHIPMENTS = (
    "event_id,order_id,courier,event,event_at,hub\n"
    "E1,O1,CJ,packed,2016-10-07 09:35,Gunpo\n"
    "E2,O1,CJ,picked_up,2016-10-07 09:52,Gunpo\n"
    "E3,O2,CJ,packed,yesterday,Gunpo\n"
)
ACTIVATIONS = (
    "attempt_id,order_id,requested_via,requested_at,result,finished_at,error_code,updated_at\n"
    "A1,O1,auto,2016-10-07 09:55,pending,,,2016-10-07 09:55\n"
    "A1,O1,auto,2016-10-07 09:55,success,2016-10-07 10:05,,2016-10-07 10:05\n"
)
MESSAGES = (
    "message_id,customer_id,template,sent_at,status,order_id\n"
    "M1,C1,DELIVERY_DELAYED,2016-10-07 09:20,delivered,O1\n"
)
CALLS_CP949 = (
    "call_id,queue,arrived_at,ended_at,outcome,customer_id,answered_at,reason\n"
    "K1,iphone,2016-10-07 09:12,2016-10-07 09:18,answered,C1,2016-10-07 09:13,배송 문의\n"
).encode("cp949")
TOML = '[launch]\nname = "Replay test"\ntimezone = "Asia/Seoul"\n'


@pytest.fixture
def source(tmp_path):
    return make_launch(tmp_path / "src", {
        "orders/orders_a.csv": ORDERS,
        "orders/orders_broken.csv": BROKEN,
        "shipments/shipments.csv": SHIPMENTS,
        "activations/activations.csv": ACTIVATIONS,
        "messages/messages.csv": MESSAGES,
        "calls/calls.csv": CALLS_CP949,
    }, TOML)


def at(hhmm: str) -> datetime:
    h, m = hhmm.split(":")
    return datetime(2016, 10, 7, int(h), int(m), tzinfo=SEOUL)


def test_plan_cuts_rows_into_ten_minute_windows_by_when_they_became_known(source):
    p = plan(source, drop_minutes=10)
    assert p.start == at("09:00")
    assert [(d.seq, d.window_start, d.window_end) for d in p.drops] == [
        (1, at("09:00"), at("09:10")), (2, at("09:10"), at("09:20")), (3, at("09:20"), at("09:30")),
        (4, at("09:30"), at("09:40")), (5, at("09:40"), at("09:50")), (6, at("09:50"), at("10:00")),
        (7, at("10:00"), at("10:10")),
    ]
    keys = [sorted((pc.source.table, row[0]) for pc in d.pieces for row in pc.rows) for d in p.drops]
    assert keys == [
        [("orders", "O1")],
        [("calls", "K1"), ("orders", "O2")],
        [("messages", "M1"), ("orders", "O1")],
        [("shipments", "E1")],
        [("orders", "O3")],
        [("activations", "A1"), ("shipments", "E2"), ("shipments", "E3")],
        [("activations", "A1")],
    ]
    # The re-sent versions keep their order: reserved O1 first, allocated O1 two drops later.
    o1 = [pc.rows for d in p.drops for pc in d.pieces if pc.source.table == "orders" and pc.rows[0][0] == "O1"]
    assert [rows[0][6] for rows in o1] == ["", "2016-10-07 09:25"]
    # The file the loader rejects whole is copied unchanged with the first drop only.
    assert [(t, f.name) for t, f in p.drops[0].verbatim] == [("orders", "orders_broken.csv")]
    assert all(not d.verbatim for d in p.drops[1:])


def test_drop_minutes_sets_the_window(source):
    p = plan(source, drop_minutes=30)
    assert [(d.window_start, d.window_end, d.rows()) for d in p.drops] == [
        (at("09:00"), at("09:30"), 5), (at("09:30"), at("10:00"), 5), (at("10:00"), at("10:30"), 1),
    ]


def test_replay_waits_until_each_window_has_passed_at_the_given_speed(source, tmp_path):
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    published = []
    for drop, _files in replay(source, tmp_path / "live", speed=600, drop_minutes=10,
                               sleep=sleep, clock=lambda: now[0]):
        published.append((drop.seq, now[0] - 100.0))
    # Window k ends (k + 1) * 10 launch minutes after 09:00: at speed 600, k + 1 real seconds.
    assert published == [(1, 1.0), (2, 2.0), (3, 3.0), (4, 4.0), (5, 5.0), (6, 6.0), (7, 7.0)]
    assert slept == [1.0] * 7


def test_no_wait_never_sleeps_and_names_files_in_drop_order(source, tmp_path):
    def no_sleep(seconds: float) -> None:
        raise AssertionError("slept")

    live = tmp_path / "live"
    drops = list(replay(source, live, wait=False, sleep=no_sleep))
    assert len(drops) == 7
    assert (live / "launch.toml").read_text(encoding="utf-8") == TOML
    assert sorted(p.name for p in (live / "orders").iterdir()) == [
        "orders_00001.csv", "orders_00001_orders_broken.csv", "orders_00002.csv", "orders_00003.csv",
        "orders_00005.csv",
    ]
    assert sorted(p.name for p in (live / "shipments").iterdir()) == ["shipments_00004.csv", "shipments_00006.csv"]
    assert not list(live.rglob("*.part"))
    # Each drop keeps its source file's header, and the CP949 file stays CP949.
    assert (live / "orders" / "orders_00005.csv").read_bytes().decode("utf-8") == (
        ORDERS.splitlines()[0] + "\nO3,C3,store,IP7-32-BLK,Seoul,2016-10-07 09:41,,\n")
    assert (live / "calls" / "calls_00002.csv").read_bytes().decode("cp949").endswith("배송 문의\n")


def test_the_replayed_launch_reports_the_same_figures_as_the_source(source, tmp_path):
    live = tmp_path / "live"
    for _ in replay(source, live, wait=False):
        pass
    src_store, live_store = open_store(source), open_store(live)
    try:
        want, got = report.build(src_store), report.build(live_store)
    finally:
        src_store.close()
        live_store.close()
    for table in want["ingest"]:
        want["ingest"][table].pop("files")
        got["ingest"][table].pop("files")
    assert got == want
    assert want["as_of"] == "2016-10-07T10:05:00+09:00"
    assert want["ingest"]["orders"]["files_rejected"] == 1 and want["ingest"]["shipments"]["rows_rejected"] == 1


def _figures(store: Store) -> tuple:
    r = report.build(store)
    s = r["orders"]["by_stage"]
    return (r["as_of"][11:16], r["orders"]["total"], s["reserved"], s["allocated"], s["packed"], s["in_transit"],
            s["activation_pending"], s["activated"], r["messages"]["sent"], r["calls"]["offered"],
            r["ingest"]["shipments"]["rows_rejected"], r["ingest"]["orders"]["superseded"])


def test_each_drop_is_visible_on_the_next_refresh(source, tmp_path):
    live = tmp_path / "live"
    seen = []
    store = None
    try:
        for _drop, files in replay(source, live, wait=False):
            if store is None:
                store = Store(live)
            assert store.refresh() == len(files)
            seen.append(_figures(store))
    finally:
        if store is not None:
            store.close()
    # (T, total, reserved, allocated, packed, in_transit, activation_pending, activated, sent, offered,
    #  shipment rows rejected, orders superseded)
    assert seen == [
        ("09:03", 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0),
        ("09:18", 2, 2, 0, 0, 0, 0, 0, 0, 1, 0, 0),
        ("09:25", 2, 1, 1, 0, 0, 0, 0, 1, 1, 0, 1),
        ("09:35", 2, 1, 0, 1, 0, 0, 0, 1, 1, 0, 1),
        ("09:41", 3, 2, 0, 1, 0, 0, 0, 1, 1, 0, 1),
        ("09:55", 3, 2, 0, 0, 0, 1, 0, 1, 1, 1, 1),
        ("10:05", 3, 2, 0, 0, 0, 0, 1, 1, 1, 1, 1),
    ]


def test_a_part_file_is_never_loaded(source, tmp_path):
    live = tmp_path / "live"
    drops = plan(source).drops
    live.mkdir()
    store = Store(live)
    try:
        publish(write_parts(drops[0], live))
        assert store.refresh() == 2
        parts = write_parts(drops[1], live)
        assert sorted(p.name for p in parts) == ["calls_00002.csv.part", "orders_00002.csv.part"]
        assert store.refresh() == 0
        assert report.build(store)["orders"]["total"] == 1
        publish(parts)
        assert store.refresh() == 2
        assert report.build(store)["orders"]["total"] == 2
    finally:
        store.close()


def test_cli_replay_no_wait(source, tmp_path, capsys):
    live = tmp_path / "live"
    assert main(["replay", "--from", str(source), "--to", str(live), "--drop-minutes", "30", "--no-wait"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "drop 1: launch time to 2016-10-07 09:30 · 4 file(s) · orders 3, messages 1, calls 1",
        "drop 2: launch time to 2016-10-07 10:00 · 3 file(s) · orders 1, shipments 3, activations 1",
        "drop 3: launch time to 2016-10-07 10:30 · 1 file(s) · activations 1",
    ]
    store = open_store(live)
    try:
        assert json.loads(json.dumps(report.build(store)))["orders"]["total"] == 3
    finally:
        store.close()


def test_cli_replay_refuses_a_live_folder_that_already_has_extracts(source, tmp_path, capsys):
    assert main(["replay", "--from", str(source), "--to", str(source), "--no-wait"]) == 2
    assert "already holds extract files" in capsys.readouterr().err
    assert main(["replay", "--from", str(tmp_path / "nowhere"), "--to", str(tmp_path / "x"), "--no-wait"]) == 2


def test_replay_rejects_bad_settings(source, tmp_path):
    with pytest.raises(ReplayError):
        plan(source, drop_minutes=0)
    with pytest.raises(ReplayError):
        next(replay(source, tmp_path / "live", speed=0))
