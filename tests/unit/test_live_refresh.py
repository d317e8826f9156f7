"""Live refresh (issue 5): new files are picked up without a restart, each read once; late files
and re-sent versions follow spec 3; every session shares one Store safely across threads."""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import pytest
from launch_files import make_launch

from launchboard import ingest, loader, report
from launchboard.loader import END_OF_TIME, Store
from launchboard.timeutil import parse_moment

HEAD = "order_id,customer_id,channel,sku,region,ordered_at,allocated_at,updated_at\n"
MSG_HEAD = "message_id,customer_id,order_id,template,sent_at,status\n"
ACT_HEAD = "attempt_id,order_id,requested_via,requested_at,result,finished_at,error_code\n"


def _write(folder, rel: str, text: str) -> None:
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _orders(store: Store) -> dict:
    return report.build(store)["orders"]


def test_refresh_reads_only_files_it_has_not_seen(tmp_path, monkeypatch):
    data = make_launch(tmp_path, {"orders/o_001.csv": HEAD + "O1,C1,web,IP7,Seoul,2016-10-07 09:00,,\n"})
    loaded: list[str] = []
    original = ingest.load_file

    def spy(cur, found, *rest):
        loaded.append(found.name)
        return original(cur, found, *rest)

    monkeypatch.setattr(ingest, "load_file", spy)
    store = Store(data)
    try:
        assert store.refresh() == 1 and loaded == ["o_001.csv"]
        version = store.version
        assert store.refresh() == 0 and store.version == version and loaded == ["o_001.csv"]
        _write(data, "orders/o_002.csv", HEAD + "O2,C2,sms,IP7,Busan,2016-10-07 09:10,,\n")
        _write(data, "shipments/s_001.csv", "event_id,order_id,courier,event,event_at\n"
                                            "E1,O1,CJ,packed,2016-10-07 09:20\n")
        assert store.refresh() == 2
        assert sorted(loaded) == ["o_001.csv", "o_002.csv", "s_001.csv"]
        assert store.version == version + 1
        got = _orders(store)
        assert got["total"] == 2 and got["by_stage"]["packed"] == 1 and got["by_stage"]["reserved"] == 1
    finally:
        store.close()


def test_unfinished_files_wait_until_renamed(tmp_path):
    data = make_launch(tmp_path, {"orders/o_001.csv": HEAD + "O1,C1,web,IP7,Seoul,2016-10-07 09:00,,\n"})
    store = Store(data)
    try:
        store.refresh()
        for name in ("o_002.csv.part", "o_003.csv.tmp", ".o_004.csv"):
            _write(data, "orders/" + name, HEAD + "O9,C9,web,IP7,Seoul,2016-10-07 09:30,,\n")
        assert store.refresh() == 0 and _orders(store)["total"] == 1
        os.replace(data / "orders" / "o_002.csv.part", data / "orders" / "o_002.csv")
        assert store.refresh() == 1 and _orders(store)["total"] == 2
    finally:
        store.close()


def test_a_late_file_without_updated_at_loses_to_the_file_that_sorts_last(tmp_path):
    data = make_launch(tmp_path, {"orders/o_002.csv": HEAD + "O1,C1,web,IP7,Seoul,2016-10-07 09:00,2016-10-07 10:00,\n"})
    store = Store(data)
    try:
        store.refresh()
        # Arrives later but its name sorts first: the allocated version in o_002.csv still wins.
        _write(data, "orders/o_001.csv", HEAD + "O1,C1,web,IP7,Seoul,2016-10-07 09:00,,\n")
        assert store.refresh() == 1
        got = _orders(store)
        assert got["by_stage"]["allocated"] == 1 and got["by_stage"]["reserved"] == 0
        ingest = report.build(store)["ingest"]["orders"]
        assert (ingest["files"], ingest["rows_accepted"], ingest["superseded"]) == (2, 2, 1)
    finally:
        store.close()


def test_a_late_file_with_a_newer_updated_at_wins_whatever_its_name(tmp_path):
    data = make_launch(tmp_path, {
        "orders/o_002.csv": HEAD + "O1,C1,web,IP7,Seoul,2016-10-07 09:00,,2016-10-07 09:00\n"})
    store = Store(data)
    try:
        store.refresh()
        assert _orders(store)["by_stage"]["reserved"] == 1
        _write(data, "orders/o_001.csv",
               HEAD + "O1,C1,web,IP7,Seoul,2016-10-07 09:00,2016-10-07 10:00,2016-10-07 10:00\n")
        store.refresh()
        got = _orders(store)
        assert got["by_stage"]["allocated"] == 1 and got["by_stage"]["reserved"] == 0
        # An older version arriving even later changes nothing.
        _write(data, "orders/o_003.csv", HEAD + "O1,C1,web,IP7,Seoul,2016-10-07 09:00,,2016-10-07 09:30\n")
        store.refresh()
        got = _orders(store)
        assert got["by_stage"]["allocated"] == 1 and got["by_stage"]["reserved"] == 0
    finally:
        store.close()


def test_a_re_sent_attempt_moves_the_order_from_pending_to_activated(tmp_path):
    data = make_launch(tmp_path, {
        "orders/o_001.csv": HEAD + "O1,C1,web,IP7,Seoul,2016-10-07 09:00,,\n",
        "activations/a_001.csv": ACT_HEAD + "A1,O1,auto,2016-10-07 09:30,pending,,\n",
    })
    store = Store(data)
    try:
        store.refresh()
        first = report.build(store)
        assert first["orders"]["by_stage"]["activation_pending"] == 1 and first["activations"]["pending"] == 1
        _write(data, "activations/a_002.csv", ACT_HEAD + "A1,O1,auto,2016-10-07 09:30,success,2016-10-07 09:31,\n")
        store.refresh()
        second = report.build(store)
        assert second["orders"]["by_stage"]["activated"] == 1
        assert (second["activations"]["attempts"], second["activations"]["pending"], second["activations"]["succeeded"]) == (1, 0, 1)
        assert second["ingest"]["activations"]["superseded"] == 1
        assert second["as_of"] == "2016-10-07T09:31:00+09:00"
    finally:
        store.close()


def test_file_arrival_time_is_its_modification_time(tmp_path, sql_rows):
    data = make_launch(tmp_path, {"orders/o_001.csv": HEAD + "O1,C1,web,IP7,Seoul,2016-10-07 09:00,,\n"})
    arrived = datetime(2016, 10, 7, 0, 5, tzinfo=timezone.utc)
    os.utime(data / "orders" / "o_001.csv", (arrived.timestamp(), arrived.timestamp()))
    store = Store(data)
    try:
        store.refresh()
        assert sql_rows(store, "SELECT file, arrived_at FROM files") == [("o_001.csv", arrived)]
    finally:
        store.close()


def test_sessions_share_one_store_safely_across_threads(tmp_path, sql_rows):
    """Four 'sessions' refresh and read while eight drops arrive; every file is loaded once and
    every reader sees a consistent launch (orders and order_facts from the same rebuild)."""
    data = make_launch(tmp_path, {"orders/o_000.csv": HEAD + "O0,C0,web,IP7,Seoul,2016-10-07 09:00,,\n"})
    store = Store(data)
    drops = 8
    done = threading.Event()

    def session() -> list[int]:
        totals = []
        while True:
            finished = done.is_set()
            store.refresh()
            cur = store.cursor()
            try:
                n_orders, n_facts = cur.execute(
                    "SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM order_facts)").fetchone()
            finally:
                cur.close()
            assert n_orders == n_facts
            totals.append(n_orders)
            if finished:
                return totals

    def writer() -> None:
        for k in range(1, drops + 1):
            part = data / "orders" / f"o_{k:03d}.csv.part"
            _write(data, f"orders/{part.name}", HEAD + f"O{k},C{k},web,IP7,Seoul,2016-10-07 09:{k:02d},,\n")
            os.replace(part, part.with_name(f"o_{k:03d}.csv"))
            store.refresh()
        done.set()

    try:
        with ThreadPoolExecutor(max_workers=5) as pool:
            sessions = [pool.submit(session) for _ in range(4)]
            pool.submit(writer).result()
            seen = [f.result() for f in sessions]  # re-raises any session's error
        files = sql_rows(store, "SELECT file, count(*) FROM files GROUP BY file ORDER BY file")
        assert files == [(f"o_{k:03d}.csv", 1) for k in range(drops + 1)]
        assert sql_rows(store, "SELECT count(*) FROM acc_orders") == [(drops + 1,)]
        for totals in seen:
            assert totals == sorted(totals) and totals[-1] == drops + 1
    finally:
        store.close()


def test_an_incremental_refresh_gives_the_same_launch_as_a_full_load(tmp_path, monkeypatch, sql_rows):
    """Force the incremental path (any drop counts as small) and compare with one full load: a shipment
    event re-sent under another order moves that order's facts and stage timeline, a new order joins its
    customer's facts, a message sent before the drop takes the stage its order has now at sent_at, and a
    call takes its caller's order stage at arrival (a new call from a customer the drop does not
    otherwise touch included)."""
    monkeypatch.setattr(Store, "DELTA_SHARE", 1e9)
    ship = "event_id,order_id,courier,event,event_at,updated_at\n"
    calls = "call_id,queue,arrived_at,ended_at,outcome,customer_id,answered_at,agent_id,reason\n"
    data = make_launch(tmp_path, {
        "orders/o_001.csv": HEAD + "O1,C1,web,IP7,Seoul,2016-10-07 09:00,2016-10-07 10:00,\n"
                                   "O2,C2,sms,IP7P,Busan,2016-10-07 09:05,2016-10-07 10:00,\n"
                                   "O4,C3,web,IP7,Seoul,2016-10-07 09:10,2016-10-07 10:00,\n",
        "calls/c_001.csv": calls + "K1,main,2016-10-07 11:30,2016-10-07 11:35,answered,C1,2016-10-07 11:31,G1,delivery\n",
        "shipments/s_001.csv": ship + "E1,O1,CJ,packed,2016-10-07 11:00,2016-10-07 11:00\n",
        "activations/a_001.csv": ACT_HEAD + "A1,O2,auto,2016-10-07 12:00,pending,,\n",
        "messages/m_001.csv": MSG_HEAD + "M1,C2,O2,activated_notice,2016-10-07 12:30,delivered\n",
    })
    store = Store(data)
    try:
        store.refresh()
        _write(data, "shipments/s_002.csv", ship + "E1,O2,CJ,packed,2016-10-07 11:00,2016-10-07 11:30\n")
        _write(data, "activations/a_002.csv", ACT_HEAD + "A1,O2,auto,2016-10-07 12:00,success,2016-10-07 12:05,\n")
        _write(data, "orders/o_002.csv", HEAD + "O3,C1,store,IP7P,Daejeon,2016-10-07 12:10,,\n")
        _write(data, "messages/m_002.csv", MSG_HEAD + "M2,C1,O3,activated_notice,2016-10-07 12:20,delivered\n")
        _write(data, "calls/c_002.csv", calls + "K2,main,2016-10-07 12:40,2016-10-07 12:45,abandoned,C3,,,\n"
                                                "K3,main,2016-10-07 12:41,2016-10-07 12:42,abandoned,,,,\n")
        call_facts = "SELECT call_id, caller_order_id, caller_stage FROM call_facts ORDER BY 1"
        assert sql_rows(store, call_facts) == [("K1", "O1", "packed")]  # E1 packed O1 at 11:00
        # before the drop M1 claims "activated" while O2's attempt is pending: contradicting
        assert sql_rows(store, "SELECT message_id, order_stage FROM message_facts") == [("M1", "activation_pending")]
        assert store.refresh() == 5
        # The incremental path ran (it leaves its scratch schema behind, its tables dropped
        # before the commit).
        assert sql_rows(store, "SELECT count(*) FROM duckdb_schemas() WHERE schema_name = 'lb_delta'") == [(1,)]
        assert sql_rows(store, "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'lb_delta'") == [(0,)]
        fresh = Store(data)
        try:
            fresh.refresh()
            assert report.build(store) == report.build(fresh)
            facts = ("SELECT order_id, customer_id, couriers, sf.first_packed_at, sf.first_success_at"
                     " FROM order_facts ORDER BY order_id")
            timeline = "SELECT * FROM stage_timeline ORDER BY order_id, from_at"
            messages = "SELECT * FROM message_facts ORDER BY message_id"
            customers = ("SELECT customer_id, list_sort(channels), list_sort(regions), list_sort(skus)"
                         " FROM customer_facts ORDER BY customer_id")
            assert sql_rows(store, facts) == sql_rows(fresh, facts)
            assert sql_rows(store, customers) == sql_rows(fresh, customers)
            assert sql_rows(store, timeline) == sql_rows(fresh, timeline)
            spans = "SELECT * FROM stage_spans ORDER BY order_id, f"
            assert sql_rows(store, spans) == sql_rows(fresh, spans) != []
            assert sql_rows(store, messages) == sql_rows(fresh, messages)
            # Distinct keys, counted on the drop from the keys no earlier file carried (E1 and A1
            # were re-sent, O3 and M2 are new), as a full load counts them.
            keys = "SELECT table_name, distinct_keys FROM key_counts ORDER BY table_name"
            assert sql_rows(store, keys) == sql_rows(fresh, keys) == [
                ("activations", 1), ("calls", 3), ("messages", 2), ("orders", 4), ("shipments", 1)]
            by_order = {r[0]: r for r in sql_rows(store, facts)}
            assert by_order["O1"][2] == [] and by_order["O1"][3] is None   # E1 moved away from O1
            assert by_order["O2"][2] == ["CJ"] and by_order["O2"][3] is not None
            stages = "SELECT order_id, stage FROM stage_timeline WHERE to_at = 'infinity' ORDER BY 1"
            assert sql_rows(store, stages) == [("O1", "allocated"), ("O2", "activated"), ("O3", "reserved"),
                                               ("O4", "allocated")]
            # K1 (11:30): O1 lost E1, so it was allocated then; K2 (12:40) is C3's O4, allocated;
            # K3 has no caller.
            assert sql_rows(store, call_facts) == sql_rows(fresh, call_facts) == [
                ("K1", "O1", "allocated"), ("K2", "O4", "allocated"), ("K3", None, None)]
            # M1 (12:30) now finds O2 activated at 12:05; M2 names O3, which was ordered at 12:10
            assert sql_rows(store, "SELECT message_id, order_stage FROM message_facts ORDER BY 1") == [
                ("M1", "activated"), ("M2", "reserved")]
            assert sql_rows(store, customers)[0] == ("C1", ["store", "web"], ["Daejeon", "Seoul"], ["IP7", "IP7P"])
        finally:
            fresh.close()
    finally:
        store.close()


def test_an_incremental_refresh_keeps_conflicts_attempts_and_calls_as_a_full_load(tmp_path, monkeypatch, sql_rows):
    """The tables decided at load for the figures (message_conflicts, attempt_facts, call_facts)
    after an incremental refresh equal a full load's. AUTO and ARS conflict (launch.toml).
    Before the drop: C2 got AUTO (M3, 10:00) and ARS (M4, 20:00), 10 h apart: C2 conflicts
    from 20:00; C4 got AUTO and ARS about no order (M5, M6): C4 conflicts from 12:00; C1 got
    AUTO (M1, 10:00, about O1). The drop: ARS to C1 at 11:00 (M2, no order), so C1 conflicts
    from 11:00; M4 re-sent to C3 and M6 to C5 instead, so C2 and C4 no longer conflict; a CJ
    scan of O1 (its couriers, which M1, A1 and K1 carry as filter fields); an attempt A1 of O1;
    a call K1 from C1."""
    monkeypatch.setattr(Store, "DELTA_SHARE", 1e9)
    toml = "[templates.AUTO]\nconflicts_with = [\"ARS\"]\n[templates.ARS]\n"
    calls = "call_id,queue,arrived_at,ended_at,outcome,customer_id,answered_at\n"
    data = make_launch(tmp_path, {
        "orders/o_001.csv": HEAD + "O1,C1,web,IP7,Seoul,2016-10-07 09:00,,\n"
                                   "O2,C2,sms,IP7P,Busan,2016-10-07 09:05,,\n",
        "messages/m_001.csv": MSG_HEAD + "M1,C1,O1,AUTO,2016-10-07 10:00,delivered\n"
                                         "M3,C2,O2,AUTO,2016-10-07 10:00,delivered\n"
                                         "M4,C2,O2,ARS,2016-10-07 20:00,delivered\n"
                                         "M5,C4,,AUTO,2016-10-07 10:00,delivered\n"
                                         "M6,C4,,ARS,2016-10-07 12:00,delivered\n",
        # so that every table has rows before the drop (the incremental path needs them)
        "shipments/s_000.csv": "event_id,order_id,courier,event,event_at\nE0,O2,Hanjin,packed,2016-10-07 12:00\n",
        "activations/a_000.csv": ACT_HEAD + "A0,O2,auto,2016-10-07 13:00,success,2016-10-07 13:01,\n",
        "calls/c_000.csv": calls + "K0,main,2016-10-07 13:00,2016-10-07 13:05,abandoned,C2,\n",
    }, toml)
    store = Store(data)
    try:
        store.refresh()
        conflicts = "SELECT customer_id, template_a, template_b, seen_at FROM message_conflicts ORDER BY 1"
        # template_a <= template_b
        assert [r[:3] for r in sql_rows(store, conflicts)] == [("C2", "ARS", "AUTO"), ("C4", "ARS", "AUTO")]
        _write(data, "messages/m_002.csv", MSG_HEAD + "M2,C1,,ARS,2016-10-07 11:00,delivered\n"
                                                      "M4,C3,,ARS,2016-10-07 20:00,delivered\n"
                                                      "M6,C5,,ARS,2016-10-07 12:00,delivered\n")
        _write(data, "shipments/s_001.csv", "event_id,order_id,courier,event,event_at\n"
                                            "E1,O1,CJ,packed,2016-10-07 12:00\n")
        _write(data, "activations/a_001.csv", ACT_HEAD + "A1,O1,auto,2016-10-07 13:00,failed,2016-10-07 13:05,E9\n")
        _write(data, "calls/c_001.csv", calls + "K1,main,2016-10-07 13:10,2016-10-07 13:15,answered,C1,2016-10-07 13:11\n")
        assert store.refresh() == 4
        assert sql_rows(store, "SELECT count(*) FROM duckdb_schemas() WHERE schema_name = 'lb_delta'") == [(1,)]
        fresh = Store(data)
        try:
            fresh.refresh()
            assert report.build(store) == report.build(fresh)
            attempts = ("SELECT attempt_id, order_id, channel, region, sku, couriers FROM attempt_facts"
                        " WHERE attempt_id = 'A1'")
            call_facts = ("SELECT call_id, customer_id, wait_seconds, channels, regions, skus, couriers, caller_order_id,"
                          " caller_stage FROM call_facts WHERE call_id = 'K1'")
            for query in (conflicts, attempts, call_facts, "SELECT * FROM message_conflicts ORDER BY ALL"):
                assert sql_rows(store, query) == sql_rows(fresh, query)
            seoul = parse_moment("2016-10-07 11:00", store.config.tz)
            assert sql_rows(store, conflicts) == [("C1", "ARS", "AUTO", seoul)]
            assert sql_rows(store, attempts) == [("A1", "O1", "web", "Seoul", "IP7", ["CJ"])]
            assert sql_rows(store, call_facts) == [("K1", "C1", 60.0, ["web"], ["Seoul"], ["IP7"], ["CJ"], "O1", "activation_failed")]
            assert report.build(store)["messages"]["conflicting_customers"] == 1
        finally:
            fresh.close()
    finally:
        store.close()


def test_a_drop_of_a_call_from_an_unknown_caller_reaches_the_call_facts(tmp_path, monkeypatch, sql_rows):
    """A call without a customer belongs to no touched customer: the drop takes it into its
    scratch calls by its id (derive._facts_delta). K2 arrives in the drop from an unknown
    caller, abandoned; K1 is C1's earlier call."""
    monkeypatch.setattr(Store, "DELTA_SHARE", 1e9)
    calls = "call_id,queue,arrived_at,ended_at,outcome,customer_id,answered_at\n"
    data = make_launch(tmp_path, {
        "orders/o_001.csv": HEAD + "O1,C1,web,IP7,Seoul,2016-10-07 09:00,,\n",
        "calls/c_001.csv": calls + "K1,main,2016-10-07 13:00,2016-10-07 13:05,abandoned,C1,\n",
    })
    store = Store(data)
    try:
        store.refresh()
        _write(data, "calls/c_002.csv", calls + "K2,main,2016-10-07 14:00,2016-10-07 14:02,abandoned,,\n")
        assert store.refresh() == 1
        assert sql_rows(store, "SELECT call_id, customer_id, outcome FROM call_facts ORDER BY 1") == [
            ("K1", "C1", "abandoned"), ("K2", None, "abandoned")]
        assert report.build(store)["calls"]["offered"] == 2
    finally:
        store.close()


def test_stable_before_is_the_earliest_time_a_refresh_touched(tmp_path):
    """Store.stable_before(v): as-of figures before the earliest timestamp of the rows added or
    replaced since version v cannot have changed (the review page keeps its alert history there)."""
    orders = HEAD + "".join(f"O{i},C{i},web,IP7,Seoul,2016-10-07 09:{i:02d},,\n" for i in range(10))
    ship_head = "event_id,order_id,courier,event,event_at\n"
    ship = ship_head + "".join(f"E{i},O{i},CJ,packed,2016-10-08 10:{i:02d}\n" for i in range(10))
    data = make_launch(tmp_path, {"orders/o_001.csv": orders, "shipments/s_001.csv": ship})
    store = Store(data)
    try:
        store.refresh()
        tz = store.config.tz
        v1 = store.version
        assert store.stable_before(v1) == END_OF_TIME  # nothing loaded since
        assert store.stable_before(0) is None and store.stable_before(v1 + 1) is None
        # one new scan (1 row against 10: incremental): the earliest time touched is that scan's
        _write(data, "shipments/s_002.csv", ship_head + "E10,O1,CJ,picked_up,2016-10-09 12:00\n")
        store.refresh()
        v2 = store.version
        assert store.stable_before(v1) == parse_moment("2016-10-09 12:00", tz)
        # O2 re-sent with its order time corrected to 11:00: the replaced version (09:02) counts too
        _write(data, "orders/o_002.csv", HEAD + "O2,C2,web,IP7,Seoul,2016-10-07 11:00,2016-10-10 08:00,\n")
        store.refresh()
        v3 = store.version
        assert store.stable_before(v2) == parse_moment("2016-10-07 09:02", tz)
        assert store.stable_before(v1) == parse_moment("2016-10-07 09:02", tz)
        # 5 new scans against 11 rows: more than DELTA_SHARE, shipments are rebuilt whole
        _write(data, "shipments/s_003.csv", ship_head + "".join(
            f"F{i},O{i},CJ,picked_up,2016-10-11 10:00\n" for i in range(5)))
        store.refresh()
        assert store.stable_before(v3) is None and store.stable_before(v1) is None
        assert store.stable_before(store.version) == END_OF_TIME
    finally:
        store.close()


def test_files_loading_at_once_keep_their_lines_and_a_fixed_column_order(tmp_path, monkeypatch, sql_rows):
    # Two files of one refresh load side by side; b.csv is made to append first, yet the extra
    # columns come in file-name order (a.csv's store_code, then b.csv's campaign), as when the
    # files load one after another, and each file keeps its own line numbers.
    monkeypatch.setattr(loader, "LOAD_WORKERS", 2)
    data = make_launch(tmp_path, {
        "orders/a.csv": HEAD.rstrip("\n") + ",store_code\n"
                        "O1,C1,store,IP7,Seoul,2016-10-07 09:00,,,GN-01\n"   # line 2
                        "broken\n"                                            # line 3
                        "O3,C3,store,IP7,Seoul,2016-10-07 09:05,,,GN-02\n",  # line 4
        "orders/b.csv": HEAD.rstrip("\n") + ",campaign\n"
                        "O2,,web,IP7,Busan,2016-10-07 09:10,,,early\n"       # line 2: no customer_id
                        "O4,C4,web,IP7,Busan,2016-10-07 09:15,,,late\n",     # line 3
    })
    b_appended = threading.Event()
    stage, append = ingest.stage_file, ingest.append_rows

    def a_waits(fmt, job):  # reading a.csv (outside the append lock) waits for b.csv
        if job.path.name == "a.csv":
            assert b_appended.wait(timeout=30), "b.csv never appended: the files did not load at once"
        return stage(fmt, job)

    def b_first(cur, table, file, *rest):
        result = append(cur, table, file, *rest)
        if file == "b.csv":
            b_appended.set()
        return result

    monkeypatch.setattr(ingest, "stage_file", a_waits)
    monkeypatch.setattr(ingest, "append_rows", b_first)
    store = Store(data)
    try:
        assert store.refresh() == 2
        assert store.extras("orders") == ["store_code", "campaign"]
        columns = [r[0] for r in sql_rows(store, "SELECT column_name FROM duckdb_columns() "
                                                 "WHERE table_name = 'orders' ORDER BY column_index")]
        assert columns[-4:] == ["_file", "_line", "store_code", "campaign"]
        assert sql_rows(store, "SELECT order_id, _file, _line, store_code, campaign FROM orders ORDER BY order_id") == [
            ("O1", "a.csv", 2, "GN-01", None), ("O3", "a.csv", 4, "GN-02", None), ("O4", "b.csv", 3, None, "late")]
        assert sql_rows(store, "SELECT file, line, reason FROM rejected_rows ORDER BY file, line") == [
            ("a.csv", 3, "malformed CSV line: Expected Number of Columns: 9 Found: 1"),
            ("b.csv", 2, "customer_id is empty")]
        assert sql_rows(store, "SELECT file, rows_read, rows_rejected FROM files ORDER BY file") == [
            ("a.csv", 3, 1), ("b.csv", 2, 1)]
    finally:
        store.close()


@pytest.fixture
def failing_disk(tmp_path, monkeypatch):
    """A launch of o_good.csv (O1) and o_bad.csv (O2) whose reading of o_bad.csv fails with an
    unexpected OSError; returns (data folder, a function that mends the disk)."""
    data = make_launch(tmp_path, {
        "orders/o_good.csv": HEAD + "O1,C1,web,IP7,Seoul,2016-10-07 09:00,,\n",
        "orders/o_bad.csv": HEAD + "O2,C2,web,IP7,Seoul,2016-10-07 09:10,,\n",
    })
    original = ingest.stage_file

    def disk_fails(fmt, job):
        if job.path.name == "o_bad.csv":
            raise OSError("No space left on device")
        return original(fmt, job)

    monkeypatch.setattr(ingest, "stage_file", disk_fails)
    return data, lambda: monkeypatch.setattr(ingest, "stage_file", original)


def test_an_unexpected_error_in_one_file_loses_no_other_file_and_loads_none_twice(failing_disk, sql_rows):
    data, mend = failing_disk
    store = Store(data)
    try:
        with pytest.raises(OSError, match="No space left"):
            store.refresh()
        # o_good.csv's rows are in, but the refresh stopped before the current tables
        assert sql_rows(store, "SELECT order_id FROM acc_orders") == [("O1",)]
        assert store.version == 0 and _orders(store)["total"] == 0
        mend()
        assert store.refresh() == 1  # o_bad.csv only: o_good.csv is not read again
        assert sorted(sql_rows(store, "SELECT order_id, _file FROM acc_orders")) == [
            ("O1", "o_good.csv"), ("O2", "o_bad.csv")]
        assert store.version == 1 and _orders(store)["total"] == 2
    finally:
        store.close()


def test_a_refresh_with_no_new_file_still_publishes_rows_a_failed_refresh_left(failing_disk):
    data, _ = failing_disk
    store = Store(data)
    try:
        with pytest.raises(OSError):
            store.refresh()
        (data / "orders" / "o_bad.csv").unlink()  # withdrawn before the next refresh
        assert store.refresh() == 0
        assert store.version == 1 and _orders(store)["total"] == 1
        assert store.refresh() == 0 and store.version == 1  # nothing left to do
    finally:
        store.close()


def test_a_whole_load_is_checkpointed_and_a_small_drop_is_only_logged(tmp_path):
    # A checkpoint compresses and writes the changed tables: a whole load pays for it when it
    # finishes, so no drop inherits it; a small drop's rows wait in the write-ahead log. (The
    # 1 GB log threshold, loader.CHECKPOINT_THRESHOLD, only shows at scale: bench/RESULTS.md.)
    rows = "".join(f"O{i},C{i},web,IP7,Seoul,2016-10-07 09:{i:02d},,\n" for i in range(10))
    data = make_launch(tmp_path, {"orders/o_001.csv": HEAD + rows})
    store = Store(data)
    try:
        wal = store.db_path.with_name(store.db_path.name + ".wal")
        store.refresh()
        assert not wal.exists() or wal.stat().st_size == 0
        _write(data, "orders/o_002.csv", HEAD + "O10,C10,web,IP7,Seoul,2016-10-07 09:30,,\n")
        assert store.refresh() == 1 and store.stable_before(1) is not None  # the incremental path
        assert wal.stat().st_size > 0 and _orders(store)["total"] == 11
    finally:
        store.close()


def test_refresh_reports_each_new_file_on_the_calling_thread(tmp_path):
    data = make_launch(tmp_path, {
        "orders/o_001.csv": HEAD + "O1,C1,web,IP7,Seoul,2016-10-07 09:00,,\n",
        "orders/o_002.csv": HEAD + "O2,C2,web,IP7,Seoul,2016-10-07 09:10,,\n",
        "shipments/s_001.csv": "event_id,order_id,courier,event,event_at\nE1,O1,CJ,packed,2016-10-07 11:00\n",
        "orders/o_003.csv.part": HEAD,  # unfinished: neither unseen nor read
    })
    store = Store(data)
    try:
        assert store.unseen() == 3
        calls: list[tuple[int, int, bool]] = []
        here = threading.current_thread()
        assert store.refresh(lambda done, total: calls.append((done, total, threading.current_thread() is here))) == 3
        assert calls == [(1, 3, True), (2, 3, True), (3, 3, True)]
        assert store.unseen() == 0 and store.refresh(lambda *a: calls.append(a)) == 0 and len(calls) == 3
    finally:
        store.close()


def test_a_refresh_stopped_by_its_progress_loses_no_file(tmp_path):
    # Streamlit stops a script run (the viewer left the page) by raising from an element call,
    # here the progress bar's: the files still go in, and the next refresh publishes them.
    data = make_launch(tmp_path, {
        "orders/o_001.csv": HEAD + "O1,C1,web,IP7,Seoul,2016-10-07 09:00,,\n",
        "orders/o_002.csv": HEAD + "O2,C2,web,IP7,Seoul,2016-10-07 09:10,,\n",
    })
    store = Store(data)
    try:
        def stop(done: int, total: int) -> None:
            raise RuntimeError("script run stopped")

        with pytest.raises(RuntimeError, match="script run stopped"):
            store.refresh(stop)
        assert store.version == 0 and store.unseen() == 0
        assert store.refresh() == 0 and store.version == 1 and _orders(store)["total"] == 2
    finally:
        store.close()


def test_a_first_load_commits_its_current_tables_before_the_facts_and_a_later_one_does_not(tmp_path, sql_rows):
    """derive.rebuild(first=True): on a Store's first load nothing is published yet, so the current
    tables are committed before the derived tables are built; stopped in between (here by the
    progress bar at order_facts), the next refresh builds every table again. A later whole
    rebuild stays one transaction: stopped at the same step, readers keep the earlier version."""
    data = make_launch(tmp_path, {"orders/o_001.csv": HEAD + "O1,C1,web,IP7,Seoul,2016-10-07 09:00,,\n"
                                                            "O2,C2,web,IP7,Seoul,2016-10-07 09:10,,\n"})

    def stop_at_facts(step: str) -> None:
        if step == "order_facts":
            raise RuntimeError("script run stopped")

    store = Store(data)
    try:
        with pytest.raises(RuntimeError, match="script run stopped"):
            store.refresh(building=stop_at_facts)
        assert store.version == 0
        assert sql_rows(store, "SELECT count(*) FROM orders") == [(2,)]  # committed
        assert sql_rows(store, "SELECT count(*) FROM order_facts") == [(0,)]  # not built yet
        steps: list[str] = []
        assert store.refresh(building=steps.append) == 0 and store.version == 1
        assert steps[0] == "orders" and "order_facts" in steps and _orders(store)["total"] == 2
        # three new orders against two: more than DELTA_SHARE, so orders is rebuilt whole
        _write(data, "orders/o_002.csv", HEAD + "O3,C3,web,IP7,Seoul,2016-10-07 09:20,,\n"
               "O4,C4,web,IP7,Seoul,2016-10-07 09:30,,\n" "O5,C5,web,IP7,Seoul,2016-10-07 09:40,,\n")
        with pytest.raises(RuntimeError, match="script run stopped"):
            store.refresh(building=stop_at_facts)
        assert store.version == 1
        assert sql_rows(store, "SELECT count(*) FROM orders") == [(2,)]  # rolled back: still version 1
        assert sql_rows(store, "SELECT count(*) FROM order_facts") == [(2,)]
        assert store.refresh() == 0 and store.version == 2 and _orders(store)["total"] == 5
    finally:
        store.close()


def test_a_whole_rebuild_waits_for_a_query_in_flight_instead_of_failing(tmp_path):
    # Another session's query is mid-transaction when a refresh rebuilds a table whole. The
    # refresh's checkpoint waits for it; a plain CHECKPOINT raised "other write transactions
    # active" after the rebuild had committed, leaving the version unbumped.
    data = make_launch(tmp_path, {"orders/o_001.csv": HEAD + "O1,C1,web,IP7,Seoul,2016-10-07 09:00,,\n"})
    store = Store(data)
    reader = store.cursor()
    try:
        store.refresh()
        reader.execute("BEGIN TRANSACTION")
        assert reader.execute("SELECT count(*) FROM orders").fetchone() == (1,)
        # two new orders against one: more than DELTA_SHARE, so orders is rebuilt whole
        _write(data, "orders/o_002.csv", HEAD + "O2,C2,web,IP7,Seoul,2016-10-07 09:10,,\n"
               "O3,C3,web,IP7,Seoul,2016-10-07 09:20,,\n")
        with ThreadPoolExecutor(1) as pool:
            refreshing = pool.submit(store.refresh)
            with pytest.raises(TimeoutError):  # still waiting for the reader, not failed
                refreshing.result(timeout=2)
            assert reader.execute("SELECT count(*) FROM orders").fetchone() == (1,)  # its own snapshot
            reader.execute("COMMIT")
            assert refreshing.result() == 1
        assert store.version == 2 and _orders(store)["total"] == 3
        wal = store.db_path.with_name(store.db_path.name + ".wal")
        assert not wal.exists() or wal.stat().st_size == 0
    finally:
        reader.close()
        store.close()


def test_a_calls_file_rebuilt_whole_rebuilds_only_the_callers_stages(tmp_path, monkeypatch, sql_rows):
    """A calls drop too big for the incremental path rebuilds call_facts whole, not the orders'
    derived tables (at 1M orders those take most of a minute)."""
    calls = "call_id,queue,arrived_at,ended_at,outcome,customer_id,answered_at,agent_id,reason\n"
    data = make_launch(tmp_path, {
        "orders/o_001.csv": HEAD + "O1,C1,web,IP7,Seoul,2016-10-07 09:00,2016-10-07 10:00,\n",
        "shipments/s_001.csv": "event_id,order_id,courier,event,event_at\nE1,O1,CJ,packed,2016-10-07 11:00\n",
        "calls/c_001.csv": calls + "K1,main,2016-10-07 10:30,2016-10-07 10:35,abandoned,C1,,,\n",
    })
    store = Store(data)
    try:
        store.refresh()
        ran: list[str] = []
        original = loader.sql.load
        monkeypatch.setattr(loader.sql, "load", lambda name: ran.append(name) or original(name))
        # two new calls against one: more than DELTA_SHARE of the table, so calls is rebuilt whole
        _write(data, "calls/c_002.csv", calls + "K2,main,2016-10-07 11:30,2016-10-07 11:35,abandoned,C1,,,\n"
                                                "K3,main,2016-10-07 08:30,2016-10-07 08:35,abandoned,C1,,,\n")
        assert store.refresh() == 1
        # the calls' batches too, not whom batches reached; then each table's newest event time
        assert ran == ["load/call_facts", "load/call_batches", "load/newest_events"]
        # K1 (10:30) O1 allocated; K2 (11:30) packed by E1; K3 (08:30) before C1's first order
        assert sql_rows(store, "SELECT call_id, caller_order_id, caller_stage FROM call_facts ORDER BY 1") == [
            ("K1", "O1", "allocated"), ("K2", "O1", "packed"), ("K3", None, None)]
    finally:
        store.close()


def test_a_whole_rebuild_names_each_step_as_it_begins_and_a_small_drop_none(tmp_path):
    """refresh(building=...): a first load of every table goes through derive.BUILD_STEPS in
    order (the progress bar's text at each); a drop applied incrementally names none."""
    from launchboard.derive import BUILD_STEPS

    orders = "".join(f"O{i},C{i},web,IP7,Seoul,2016-10-07 09:{i:02d},,\n" for i in range(10))
    data = make_launch(tmp_path, {
        "orders/o_001.csv": HEAD + orders,
        "shipments/s_001.csv": "event_id,order_id,courier,event,event_at\nE1,O1,CJ,packed,2016-10-07 10:00\n",
        "activations/a_001.csv": ACT_HEAD + "A1,O1,auto,2016-10-08 10:00,success,2016-10-08 10:05,\n",
        "messages/m_001.csv": MSG_HEAD + "M1,C1,O1,PREORDER_CONFIRMED,2016-10-07 09:05,delivered\n",
        "calls/c_001.csv": "call_id,queue,arrived_at,answered_at,ended_at,outcome,customer_id\n"
                           "K1,general,2016-10-08 11:00,2016-10-08 11:01,2016-10-08 11:05,answered,C1\n",
    })
    steps: list[str] = []
    store = Store(data)
    try:
        store.refresh(building=steps.append)
        assert list(BUILD_STEPS) == ["orders", "activations", "calls", "messages", "shipments", "order_facts",
                                     "attempt_facts", "stage_timeline", "stage_spans", "message_facts",
                                     "customer_facts", "orphan_rows", "call_facts", "message_conflicts",
                                     "batch_facts", "checkpoint"]
        assert steps == list(BUILD_STEPS)
        assert [report.build(store)["ingest"][t]["rows_accepted"] for t in ("orders", "calls")] == [10, 1]
        steps.clear()
        _write(data, "orders/o_002.csv", HEAD + "O10,C10,web,IP7,Seoul,2016-10-07 10:00,,\n")  # 1 row in 11
        assert store.refresh(building=steps.append) == 1 and steps == []
        assert _orders(store)["total"] == 11
    finally:
        store.close()


def test_one_orders_rows_found_by_its_key_are_its_current_rows_after_a_drop(tmp_path, sql_rows):
    """lb_order_row / lb_order_scans / lb_order_attempts (queries/table_macros.sql: the lookup
    reads one order's rows by the key stored when they were read) give the current tables' rows,
    before and after a drop that re-sends the order, adds a scan and finishes its attempt."""
    scan_head = "event_id,order_id,courier,event,event_at\n"
    data = make_launch(tmp_path, {
        "orders/o_001.csv": HEAD + "".join(f"O{i},C{i},web,IP7,Seoul,2016-10-07 09:{i:02},,\n" for i in range(1, 11)),
        "shipments/s_001.csv": scan_head + "".join(f"E{i},O{i},CJ,packed,2016-10-07 11:{i:02}\n" for i in range(1, 11)),
        "activations/a_001.csv": ACT_HEAD + "".join(f"A{i},O{i},auto,2016-10-07 12:{i:02},pending,,\n"
                                                    for i in range(1, 11)),
    })
    store = Store(data)
    by_key = ["SELECT order_id, region FROM lb_order_row('O1')",
              "SELECT event_id, event FROM lb_order_scans('O1') ORDER BY 1",
              "SELECT attempt_id, result FROM lb_order_attempts('O1')"]
    by_id = ["SELECT order_id, region FROM orders WHERE order_id = 'O1'",
             "SELECT event_id, event FROM shipments WHERE order_id = 'O1' ORDER BY 1",
             "SELECT attempt_id, result FROM activations WHERE order_id = 'O1'"]
    try:
        store.refresh()
        assert [sql_rows(store, q) for q in by_key] == [
            [("O1", "Seoul")], [("E1", "packed")], [("A1", "pending")]] == [sql_rows(store, q) for q in by_id]
        _write(data, "orders/o_002.csv", HEAD + "O1,C1,web,IP7,Busan,2016-10-07 09:01,,2016-10-08 10:00\n")
        _write(data, "shipments/s_002.csv", scan_head + "E11,O1,CJ,picked_up,2016-10-07 13:00\n")
        _write(data, "activations/a_002.csv", ACT_HEAD + "A1,O1,auto,2016-10-07 12:01,success,2016-10-07 12:05,\n")
        assert store.refresh() == 3 and store.stable_before(1) is not None  # applied as a drop, not whole
        assert [sql_rows(store, q) for q in by_key] == [
            [("O1", "Busan")], [("E1", "packed"), ("E11", "picked_up")], [("A1", "success")]
        ] == [sql_rows(store, q) for q in by_id]
    finally:
        store.close()
