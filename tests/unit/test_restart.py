"""A restart on a folder already loaded (launchboard.persist): the Store opens the database it
left in the state folder, reads only new files, and builds the launch again from scratch, saying
why, when a file it had read changed or disappeared, or the database is of another version or
other settings. A file's rows go in with its bookkeeping in one transaction.

Every launch here is the same two files (timezone UTC):
  orders/o1.csv: O1 (C1), O2 (C2)      orders/o2.csv: O3 (C3)
so a first load reads 2 files and 3 rows, all accepted, 3 orders."""
from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from launchboard import ingest, persist, report
from launchboard.loader import Store
from launch_files import make_launch

HEAD = "order_id,customer_id,channel,sku,region,ordered_at\n"
O1 = HEAD + "O1,C1,web,IP7,Seoul,2016-10-07 09:00\nO2,C2,web,IP7,Seoul,2016-10-07 09:10\n"
O2 = HEAD + "O3,C3,web,IP7,Seoul,2016-10-07 09:20\n"
UTC = '[launch]\ntimezone = "UTC"\n'


@pytest.fixture
def data(tmp_path) -> Path:
    return make_launch(tmp_path / "data", {"orders/o1.csv": O1, "orders/o2.csv": O2}, UTC)


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The names of the files the loader reads, in any order."""
    seen: list[str] = []
    real = ingest.load_file

    def spy(cur, found, *args):
        seen.append(found.name)
        return real(cur, found, *args)

    monkeypatch.setattr(ingest, "load_file", spy)
    return seen


def start(data: Path, reads: list[str]) -> tuple[Store, list[str], dict]:
    """One server start: a Store opened and refreshed; the files it read and its report."""
    before = len(reads)
    store = Store(data)
    store.refresh()
    return store, sorted(reads[before:]), report.build(store)


def loaded_once(data: Path, reads: list[str]) -> dict:
    store, read, rep = start(data, reads)
    store.close()
    assert read == ["o1.csv", "o2.csv"] and rep["orders"]["total"] == 3
    return rep


def rebuilt_rows(store: Store) -> list[tuple]:
    cur = store.cursor()
    try:
        return cur.execute("SELECT kind, file, detail FROM lb_rebuilt ORDER BY ALL").fetchall()
    finally:
        cur.close()


def test_a_restart_with_nothing_new_reads_no_file_and_shows_the_same_launch(data, reads):
    first = loaded_once(data, reads)
    store, read, again = start(data, reads)
    try:
        assert store.reused and store.rebuilt == [] and read == []
        assert again == first
        assert again["ingest"]["orders"] == {"files": 2, "files_rejected": 0, "rows_read": 3, "rows_accepted": 3,
                                             "rows_rejected": 0, "superseded": 0, "orphans": 0}
        assert store.db_path == store.state / "launch.duckdb" and store.state.parent.name == "launchboard"
        assert rebuilt_rows(store) == []
    finally:
        store.close()


def test_a_new_file_is_the_only_one_read(data, reads):
    loaded_once(data, reads)
    (data / "orders" / "o3.csv").write_text(HEAD + "O4,C4,web,IP7,Seoul,2016-10-07 09:30\n")
    store, read, rep = start(data, reads)
    try:
        assert store.reused and read == ["o3.csv"]
        # 3 + 1 rows in 3 files, 4 orders
        assert rep["ingest"]["orders"]["files"] == 3 and rep["ingest"]["orders"]["rows_read"] == 4
        assert rep["orders"]["total"] == 4
    finally:
        store.close()


def test_extra_columns_are_known_again_after_a_restart(tmp_path, reads):
    data = make_launch(tmp_path / "data", {"orders/o1.csv": HEAD.strip() + ",note\n"
                                           "O1,C1,web,IP7,Seoul,2016-10-07 09:00,gift\n"}, UTC)
    loaded_once_store, _, _ = start(data, reads)
    loaded_once_store.close()
    (data / "orders" / "o2.csv").write_text(HEAD.strip() + ",wrap\nO2,C2,web,IP7,Seoul,2016-10-07 09:10,red\n")
    store, read, _ = start(data, reads)
    try:
        assert read == ["o2.csv"] and store.extras("orders") == ["note", "wrap"]
        cur = store.cursor()
        assert cur.execute("SELECT order_id, note, wrap FROM orders ORDER BY 1").fetchall() == [
            ("O1", "gift", None), ("O2", None, "red")]
        cur.close()
    finally:
        store.close()


def test_a_changed_file_rebuilds_from_scratch_and_says_which(data, reads):
    loaded_once(data, reads)
    path = data / "orders" / "o1.csv"
    stat = path.stat()
    path.write_text(HEAD + "O1,C1,web,IP7,Seoul,2016-10-07 09:00\n")  # O2 gone: shorter
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # a second later
    store, read, rep = start(data, reads)
    try:
        assert not store.reused
        assert store.rebuilt == [persist.Reason("changed", "orders/o1.csv", "size, modification time, content")]
        assert read == ["o1.csv", "o2.csv"]  # from scratch: every file again
        # 1 + 1 rows, orders O1 and O3
        assert rep["ingest"]["orders"]["rows_read"] == 2 and rep["orders"]["total"] == 2
        assert rebuilt_rows(store) == [("changed", "orders/o1.csv", "size, modification time, content")]
    finally:
        store.close()


def test_same_size_and_time_but_other_content_is_a_change(data, reads):
    loaded_once(data, reads)
    path = data / "orders" / "o1.csv"
    stat = path.stat()
    path.write_text(O1.replace("O2,C2", "O9,C9"))  # same length
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size and path.stat().st_mtime_ns == stat.st_mtime_ns
    store, read, rep = start(data, reads)
    try:
        assert store.rebuilt == [persist.Reason("changed", "orders/o1.csv", "content")]
        assert read == ["o1.csv", "o2.csv"] and rep["orders"]["total"] == 3
        cur = store.cursor()
        assert [r[0] for r in cur.execute("SELECT order_id FROM orders ORDER BY 1").fetchall()] == ["O1", "O3", "O9"]
        cur.close()
    finally:
        store.close()


def test_a_big_file_is_known_by_its_first_and_last_block(tmp_path, reads):
    # 3 blocks of rows: a change in the middle block is not seen (size and time kept), one in the
    # last block is. The identity is what the issue asks for, not a hash of every byte.
    line = "O{:07d},C1,web,IP7,Seoul,2016-10-07 09:00\n"
    rows = [line.format(i) for i in range(3 * persist.BLOCK // len(line.format(0)) + 1)]
    data = make_launch(tmp_path / "data", {"orders/o1.csv": HEAD + "".join(rows)}, UTC)
    path = data / "orders" / "o1.csv"
    before = persist.identity(path)
    text = path.read_text()
    middle = len(text) // 2 - len(text) // 2 % len(line.format(0))
    stat = path.stat()
    path.write_text(text[:middle] + text[middle:].replace("Seoul", "Busan", 1))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert persist.identity(path) == before
    path.write_text(text[:-len("Seoul,2016-10-07 09:00\n")] + "Busan,2016-10-07 09:00\n")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert persist.identity(path).head_tail != before.head_tail


def test_a_deleted_file_rebuilds_from_scratch_and_says_which(data, reads):
    loaded_once(data, reads)
    (data / "orders" / "o2.csv").unlink()
    store, read, rep = start(data, reads)
    try:
        assert store.rebuilt == [persist.Reason("disappeared", "orders/o2.csv")]
        assert read == ["o1.csv"] and rep["ingest"]["orders"]["rows_read"] == 2 and rep["orders"]["total"] == 2
        assert rebuilt_rows(store) == [("disappeared", "orders/o2.csv", None)]
    finally:
        store.close()
    # once rebuilt, the next start uses it again
    store, read, _ = start(data, reads)
    try:
        assert store.reused and read == [] and rebuilt_rows(store) == [("disappeared", "orders/o2.csv", None)]
    finally:
        store.close()


@pytest.mark.parametrize("tamper, reason", [
    ("UPDATE lb_meta SET value = '0-0123456789ab' WHERE key = 'code'",
     persist.Reason("version", None, "0-0123456789ab -> " + persist.code_version())),
    ("DROP TABLE lb_meta",  # as a start killed while it set the database up leaves it
     persist.Reason("incomplete")),
], ids=["another version", "no completion mark"])
def test_a_database_of_another_version_or_unfinished_is_rebuilt(data, reads, tamper, reason):
    loaded_once(data, reads)
    db = duckdb.connect(str(persist_db(data)))
    db.execute(tamper)
    db.close()
    store, read, rep = start(data, reads)
    try:
        assert store.rebuilt == [reason]
        assert read == ["o1.csv", "o2.csv"] and rep["orders"]["total"] == 3
    finally:
        store.close()


def test_other_settings_that_change_what_is_stored_rebuild(data, reads):
    loaded_once(data, reads)
    (data / "launch.toml").write_text('[launch]\ntimezone = "Asia/Seoul"\n')
    store, read, _ = start(data, reads)
    try:
        assert store.rebuilt == [persist.Reason("settings", None, "launch.timezone")]
        # 09:00 without an offset is now Seoul time: 00:00 UTC
        cur = store.cursor()
        assert str(cur.execute("SELECT min(ordered_at) AT TIME ZONE 'UTC' FROM orders").fetchone()[0]) == "2016-10-07 00:00:00"
        cur.close()
    finally:
        store.close()


def test_a_file_whose_append_fails_leaves_nothing_and_is_read_again(data, reads, monkeypatch):
    real = ingest.append_rows

    def fails_after_appending(*args):
        real(*args)
        raise RuntimeError("disk full")

    monkeypatch.setattr(ingest, "append_rows", fails_after_appending)
    store = Store(data)
    try:
        with pytest.raises(RuntimeError, match="disk full"):
            store.refresh()
        cur = store.cursor()
        # both files' rows were appended, then rolled back with their bookkeeping
        assert cur.execute("SELECT (SELECT count(*) FROM acc_orders), (SELECT count(*) FROM files),"
                           " (SELECT count(*) FROM pending_files)").fetchone() == (0, 0, 0)
        cur.close()
        monkeypatch.setattr(ingest, "append_rows", real)
        assert store.refresh() == 2 and report.build(store)["ingest"]["orders"]["rows_read"] == 3
    finally:
        store.close()


def test_two_stores_never_share_a_database(data, reads, tmp_path):
    other = make_launch(tmp_path / "other", {"orders/o1.csv": O1}, UTC)
    first = Store(data)
    try:
        elsewhere = Store(other)  # another folder: another state folder
        same = Store(data)  # the same folder while the first holds it: a copy of its own
        try:
            assert elsewhere.state != first.state and elsewhere.state_busy is None
            assert same.state == first.state and same.state_busy == str(os.getpid())
            assert same.db_path != first.db_path and not same.db_path.is_relative_to(same.state)
            same.refresh()
            first.refresh()
            assert report.build(same) == report.build(first)
        finally:
            elsewhere.close()
            same.close()
    finally:
        first.close()
    store = Store(data)  # the first one closed: the state folder is free again, its launch used
    try:
        assert store.state_busy is None and store.reused and store.refresh() == 0
    finally:
        store.close()


def persist_db(data: Path) -> Path:
    """The database file of a launch (the state folder of launchboard.config.state_dir)."""
    from launchboard.config import load_config, state_dir

    return state_dir(data, load_config(data)) / persist.DB_NAME


def test_ids_are_stored_as_they_are_and_categories_compressed(data, reads):
    """acc_<table> stores its ids without string compression (schema.column_defs): the cold
    load's largest cost of writing them (the current tables are views of its rows). So do the
    two largest derived tables (queries/load/order_facts.sql: message_facts, stage_timeline). Categories,
    and the other derived tables, stay compressed."""
    (data / "messages").mkdir()
    (data / "messages" / "m1.csv").write_text(
        "message_id,customer_id,template,sent_at,status,order_id\n"
        "M1,C1,order_received,2016-10-07 09:01,delivered,O1\nM2,C2,order_received,2016-10-07 09:11,sent,O2\n")
    store = Store(data)
    try:
        assert store.refresh() == 3 and sorted(reads) == ["m1.csv", "o1.csv", "o2.csv"]
    finally:
        store.close()
    con = duckdb.connect(str(persist_db(data)), read_only=True)
    try:
        def compression(table: str) -> dict[str, str]:
            return dict(con.execute("SELECT column_name, compression FROM pragma_storage_info($t)"
                                    " WHERE segment_type = 'VARCHAR' ORDER BY ALL", {"t": table}).fetchall())
        stored = {t: compression(t) for t in ("acc_orders", "order_facts", "message_facts", "stage_timeline")}
        views = [v for (v,) in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1").fetchall()]
    finally:
        con.close()
    expected = {"order_id": "Uncompressed", "customer_id": "Uncompressed", "phone": "Uncompressed",
                "channel": "DICT_FSST", "sku": "DICT_FSST", "region": "DICT_FSST", "_file": "DICT_FSST"}
    assert views == ["activations", "calls", "messages", "orders", "shipments"]
    assert {c: stored["acc_orders"][c] for c in expected} == expected
    assert stored["order_facts"]["order_id"] == stored["order_facts"]["channel"] == "DICT_FSST"
    assert {c: stored["message_facts"][c] for c in ("message_id", "customer_id", "order_id", "template", "status",
                                                     "channel")} == {
        "message_id": "Uncompressed", "customer_id": "Uncompressed", "order_id": "Uncompressed",
        "template": "DICT_FSST", "status": "DICT_FSST", "channel": "DICT_FSST"}
    assert {c: stored["stage_timeline"][c] for c in ("order_id", "stage", "channel")} == {
        "order_id": "Uncompressed", "stage": "DICT_FSST", "channel": "DICT_FSST"}
