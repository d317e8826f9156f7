"""Spec sections 1 to 3: reading the data folder, rejecting rows and files, versions, reconciliation.

Every expected figure was worked out by hand from the extract written in the test.
"""
from __future__ import annotations

import gzip
import json
from datetime import datetime, timezone

import pyarrow as pa
import pyarrow.parquet as pq

from launchboard import report

ORDERS = "order_id,customer_id,channel,sku,region,ordered_at\n"
ORDER_ROW = "{id},C{id},web,IP7-128-JBK,Seoul,2016-10-07 10:00\n"


def orders_csv(*ids: str) -> str:
    return ORDERS + "".join(ORDER_ROW.format(id=i) for i in ids)


def files_of(sql_rows, store, table="orders"):
    return {
        r[0]: r[1:]
        for r in sql_rows(store, "SELECT file, status, encoding, reason, rows_read, rows_rejected FROM files "
                                 "WHERE table_name = $t", {"t": table})
    }


def ingest(store):
    return report.build(store)["ingest"]


# -- encodings and formats ---------------------------------------------------------------------

def test_utf8_with_and_without_bom_and_cp949_korean(open_launch, sql_rows):
    text = ORDERS.rstrip("\n") + ",model\n"
    store = open_launch({
        "orders/a.csv": (text + "O1,C1,web,IP7,서울,2016-10-07 10:00,아이폰 7\n").encode("utf-8"),
        "orders/b.csv": (text + "O2,C2,web,IP7,부산,2016-10-07 10:00,아이폰 7 플러스\n").encode("utf-8-sig"),
        "orders/c.csv": (text + "O3,C3,store,IP7,대전,2016-10-07 10:00,제트 블랙\n").encode("cp949"),
    })
    got = dict((r[0], r[1:]) for r in sql_rows(store, "SELECT order_id, region, model FROM orders"))
    assert got == {"O1": ("서울", "아이폰 7"), "O2": ("부산", "아이폰 7 플러스"), "O3": ("대전", "제트 블랙")}
    files = files_of(sql_rows, store)
    # The BOM must not spoil the first header cell: b.csv loads (order_id found).
    assert files["a.csv"][:2] == ("loaded", "utf-8")
    assert files["b.csv"][:2] == ("loaded", "utf-8")
    assert files["c.csv"][:2] == ("loaded", "cp949")
    assert ingest(store)["orders"]["rows_accepted"] == 3


def test_csv_gz_utf8_and_cp949(open_launch, sql_rows):
    store = open_launch({
        "orders/a.csv.gz": gzip.compress(orders_csv("O1", "O2").encode("utf-8")),
        "orders/b.csv.gz": gzip.compress((ORDERS + "O3,C3,web,IP7,광주,2016-10-07 10:00\n").encode("cp949")),
    })
    assert sorted(sql_rows(store, "SELECT order_id, region FROM orders")) == [
        ("O1", "Seoul"), ("O2", "Seoul"), ("O3", "광주")]
    files = files_of(sql_rows, store)
    assert files["a.csv.gz"][:2] == ("loaded", "utf-8")
    assert files["b.csv.gz"][:2] == ("loaded", "cp949")



def test_csv_gz_read_as_it_is_keeps_bom_lines_and_malformed_text(open_launch, sql_rows):
    # A UTF-8 .gz is read by DuckDB straight from the archive (no decompressed copy): the BOM
    # must not spoil the first header, an upper-case suffix is still gzip, and a malformed line
    # keeps its number and raw text.
    store = open_launch({
        "orders/a.CSV.GZ": gzip.compress((
            ORDERS + "O1,C1,web,IP7,서울,2016-10-07 10:00\n"  # line 2
            + "broken,line\n"                                  # 3
            + "O3,C3,web,IP7,Seoul,2016-10-07 10:00\n"        # 4
        ).encode("utf-8-sig")),
    })
    assert sorted(sql_rows(store, "SELECT order_id, region, _line FROM orders")) == [
        ("O1", "서울", 2), ("O3", "Seoul", 4)]
    assert sql_rows(store, "SELECT line, content FROM rejected_rows") == [(3, "broken,line")]
    assert files_of(sql_rows, store)["a.CSV.GZ"][:2] == ("loaded", "utf-8")


def test_cp949_past_a_utf8_start_is_read_again_as_cp949(open_launch, sql_rows, monkeypatch):
    # Only the first block is checked in Python (here 64 bytes: the header and O1); DuckDB finds
    # the CP949 bytes on line 4 and the file is read again as CP949 from the start: every row
    # once, none rejected as a malformed line.
    from launchboard.readers import csv_reader
    monkeypatch.setattr(csv_reader, "_CHUNK", 64)
    text = (orders_csv("O1", "O2") + "O3,C3,web,IP7,광주,2016-10-07 10:00\n").encode("cp949")
    assert text[:64].isascii()
    store = open_launch({"orders/a.csv": text, "orders/b.csv.gz": gzip.compress(text.replace(b"O", b"P"))})
    assert sorted(sql_rows(store, "SELECT order_id, region FROM orders")) == [
        ("O1", "Seoul"), ("O2", "Seoul"), ("O3", "광주"), ("P1", "Seoul"), ("P2", "Seoul"), ("P3", "광주")]
    files = files_of(sql_rows, store)
    assert files["a.csv"] == ("loaded", "cp949", None, 3, 0)
    assert files["b.csv.gz"] == ("loaded", "cp949", None, 3, 0)
    assert sql_rows(store, "SELECT count(*) FROM rejected_rows") == [(0,)]


def test_bytes_neither_utf8_nor_cp949_past_the_start_reject_the_file(open_launch, sql_rows, monkeypatch):
    from launchboard.readers import csv_reader
    monkeypatch.setattr(csv_reader, "_CHUNK", 64)
    text = orders_csv("O1", "O2").encode() + b"O3,C3,web,IP7,\xff\xff,2016-10-07 10:00\n"
    store = open_launch({"orders/a.csv": text})
    assert files_of(sql_rows, store)["a.csv"][1:5] == (None, "cannot decode file as UTF-8 or CP949/EUC-KR", 0, 0)
    assert sql_rows(store, "SELECT count(*) FROM orders") == [(0,)]

def test_parquet_typed_and_text_columns(open_launch, sql_rows, tmp_path):
    table = pa.table({
        "order_id": ["P1", "P2"],
        "customer_id": ["C1", "C2"],
        "channel": ["web", "app"],
        "sku": ["IP7", "IP7"],
        "region": ["Seoul", "Busan"],
        # typed instants: 01:00 UTC is 10:00 in Seoul
        "ordered_at": pa.array([datetime(2016, 10, 7, 1, 0), datetime(2016, 10, 7, 2, 30)],
                               pa.timestamp("us", tz="UTC")),
        # naive typed timestamps are launch-local, like CSV text without an offset
        "allocated_at": pa.array([datetime(2016, 10, 8, 9, 0), None], pa.timestamp("ns")),
        "priority": pa.array([True, False]),
        "cancelled_at": ["2016-10-09 12:00", None],  # text timestamps work too
        "quantity": pa.array([1, 2], pa.int64()),  # extra column, any type
    })
    path = tmp_path / "o.parquet"
    pq.write_table(table, path)
    store = open_launch({"orders/o.parquet": path.read_bytes()})
    got = sql_rows(store, "SELECT order_id, ordered_at, allocated_at, priority, cancelled_at, quantity, _line "
                          "FROM orders ORDER BY order_id")
    utc = timezone.utc
    assert [(r[0], r[1].astimezone(utc), r[2] and r[2].astimezone(utc), r[3], r[4] and r[4].astimezone(utc), r[5], r[6])
            for r in got] == [
        ("P1", datetime(2016, 10, 7, 1, 0, tzinfo=utc), datetime(2016, 10, 8, 0, 0, tzinfo=utc), True,
         datetime(2016, 10, 9, 3, 0, tzinfo=utc), "1", 1),
        ("P2", datetime(2016, 10, 7, 2, 30, tzinfo=utc), None, False, None, "2", 2),
    ]
    assert files_of(sql_rows, store)["o.parquet"][:2] == ("loaded", "parquet")


def test_parquet_nanosecond_timestamps_from_pandas_load(open_launch, sql_rows, tmp_path):
    import pandas as pd

    frame = pd.DataFrame({"order_id": ["N1"], "customer_id": ["C1"], "channel": ["web"], "sku": ["IP7"],
                          "region": ["Seoul"], "ordered_at": [pd.Timestamp("2016-10-07 10:00:00.123456789")]})
    frame.to_parquet(tmp_path / "n.parquet")
    store = open_launch({"orders/n.parquet": (tmp_path / "n.parquet").read_bytes()})
    assert sql_rows(store, "SELECT count(*) FROM rejected_rows") == [(0,)]
    (ordered,) = sql_rows(store, "SELECT ordered_at FROM orders")[0]
    # naive -> Seoul 10:00:00.123 = 01:00:00.123 UTC (to the microsecond)
    assert ordered.astimezone(timezone.utc).replace(microsecond=0) == datetime(2016, 10, 7, 1, 0, tzinfo=timezone.utc)
    assert ordered.microsecond // 1000 == 123


def test_unfinished_and_hidden_files_are_ignored_until_renamed(open_launch, sql_rows):
    data = {
        "orders/a.csv": orders_csv("O1"),
        "orders/b.csv.part": orders_csv("O2"),
        "orders/c.csv.tmp": orders_csv("O3"),
        "orders/.d.csv": orders_csv("O4"),
    }
    store = open_launch(data)
    assert sql_rows(store, "SELECT order_id FROM orders") == [("O1",)]
    assert sorted(files_of(sql_rows, store)) == ["a.csv"]
    assert ingest(store)["orders"]["files"] == 1
    # the writer renames the finished file: the next refresh loads it
    (store.data_dir / "orders/b.csv.part").rename(store.data_dir / "orders/b.csv")
    assert store.refresh() == 1
    assert sorted(sql_rows(store, "SELECT order_id FROM orders")) == [("O1",), ("O2",)]
    assert store.refresh() == 0


def test_missing_table_folders_mean_no_data(open_launch):
    store = open_launch({"orders/a.csv": orders_csv("O1")})
    rep = report.build(store)
    assert rep["ingest"]["calls"] == {"files": 0, "files_rejected": 0, "rows_read": 0, "rows_accepted": 0,
                                      "rows_rejected": 0, "superseded": 0, "orphans": 0}
    assert rep["calls"]["offered"] == 0 and rep["calls"]["service_level"] is None
    assert rep["orders"]["total"] == 1


def test_empty_folder_reports_no_as_of(open_launch):
    store = open_launch({})
    rep = report.build(store)
    assert rep["as_of"] is None
    assert rep["orders"]["total"] == 0 and rep["alerts"] == []


# -- files rejected whole ----------------------------------------------------------------------

def test_files_rejected_whole_with_reason_and_no_rows(open_launch, sql_rows):
    good = gzip.compress(orders_csv("G1", "G2", "G3").encode())
    garbled = bytearray(gzip.compress(orders_csv(*[f"X{i}" for i in range(300)]).encode()))
    for i in range(20, 80):
        garbled[i] ^= 0xFF
    store = open_launch({
        "orders/01_good.csv": orders_csv("O1", "O2"),
        "orders/02_undecodable.csv": ORDERS.encode() + b"O9,C9,web,IP7,\xff\xfe\xff,2016-10-07 10:00\n",
        "orders/03_missing_col.csv": "order_id,customer_id,channel,sku,ordered_at\nO8,C8,web,IP7,2016-10-07 10:00\n",
        "orders/04_empty.csv": "",
        "orders/05_blank.csv": "\n\n",
        "orders/06_truncated.csv.gz": good[: len(good) // 2],
        "orders/07_garbled.csv.gz": bytes(garbled),
        "orders/08_notes.txt": orders_csv("O7"),
        "orders/09_export.xlsx": b"PK\x03\x04 not really a workbook",
        "orders/10_bad.parquet": b"PAR1 this is not parquet PAR1",
    })
    files = files_of(sql_rows, store)
    reasons = {name: f[2] for name, f in files.items() if f[0] == "rejected"}
    assert sorted(reasons) == ["02_undecodable.csv", "03_missing_col.csv", "04_empty.csv", "05_blank.csv",
                               "06_truncated.csv.gz", "07_garbled.csv.gz", "08_notes.txt", "09_export.xlsx",
                               "10_bad.parquet"]
    assert "decode" in reasons["02_undecodable.csv"]
    assert reasons["03_missing_col.csv"] == "missing required column(s): region"
    assert "no header" in reasons["04_empty.csv"] and "no header" in reasons["05_blank.csv"]
    assert reasons["06_truncated.csv.gz"].startswith("cannot read file")
    assert reasons["07_garbled.csv.gz"].startswith("cannot read file")
    assert "expected .csv, .csv.gz or .parquet" in reasons["08_notes.txt"]
    assert "expected .csv" in reasons["09_export.xlsx"]
    assert reasons["10_bad.parquet"].startswith("cannot read Parquet")
    for name in reasons:
        assert files[name][3:] == (0, 0)  # a rejected file reads no row
    assert ingest(store)["orders"] == {"files": 10, "files_rejected": 9, "rows_read": 2, "rows_accepted": 2,
                                       "rows_rejected": 0, "superseded": 0, "orphans": 0}
    assert sorted(sql_rows(store, "SELECT order_id FROM orders")) == [("O1",), ("O2",)]


# -- rows rejected, with file, line and reason -------------------------------------------------

def test_rows_rejected_with_line_and_reason(open_launch, sql_rows):
    store = open_launch({
        "orders/o.csv": (
            "order_id,customer_id,channel,sku,region,ordered_at,priority\n"  # line 1
            "O1,C1,web,IP7,Seoul,2016-10-07 10:00,yes\n"                      # 2 ok
            "O2,,web,IP7,Seoul,2016-10-07 10:00,no\n"                        # 3 empty customer_id
            "O3,C3,web,IP7,Seoul,2016-10-07 25:00,no\n"                      # 4 bad timestamp
            "O4,C4,web,IP7,Seoul,2016-10-07 10:00,maybe\n"                   # 5 bad boolean
            "O5,C5,web,IP7,Seoul\n"                                          # 6 too few fields
            "O6,C6,web,IP7,Seoul,2016-10-07 10:00,no,extra\n"                # 7 too many fields
            "O7,C7,web,IP7,Seoul,   ,no\n"                                   # 8 blank = empty
            "O8,C8,web,IP7,Seoul,07/10/2016 10:00,n\n"                       # 9 not ISO
        ),
        "shipments/s.csv": (
            "event_id,order_id,courier,event,event_at\n"
            "E1,O1,CJ,packed,2016-10-20 10:00\n"          # 2 ok
            "E2,O1,CJ,lost,2016-10-20 11:00\n"            # 3 unknown enum
            "E3,O1,CJ,Delivered,2016-10-21 10:00\n"       # 4 ok: enums are case-insensitive
        ),
        "activations/a.csv": (
            "attempt_id,order_id,requested_via,requested_at,result,finished_at,error_code\n"
            "A1,O1,auto,2016-10-21 11:00,success,2016-10-21 11:01,\n"   # 2 ok
            "A2,O1,auto,2016-10-21 11:00,success,2016-10-21 10:59,\n"   # 3 finished < requested
            "A3,O1,auto,2016-10-21 11:00,success,,\n"                   # 4 success w/o finished_at
            "A4,O1,auto,2016-10-21 11:00,failed,,E1\n"                  # 5 failed w/o finished_at
            "A5,O1,auto,2016-10-21 11:00,failed,2016-10-21 11:02,\n"    # 6 failed w/o error_code
            "A6,O1,fax,2016-10-21 11:00,pending,,\n"                    # 7 unknown requested_via
            "A7,O1,auto,2016-10-21 11:00,pending,,\n"                   # 8 ok
            "A8,O1,auto,2016-10-21 11:00,done,,\n"                      # 9 unknown result
            "A9,O1,auto,2016-10-21 11:00,success,2016-10-21 11:00,\n"   # 10 ok: finished == requested
        ),
        "messages/m.csv": (
            "message_id,customer_id,template,sent_at,status\n"
            "M1,C1,T,2016-10-21 10:00,delivered\n"   # 2 ok
            "M2,C1,T,2016-10-21 10:00,bounced\n"     # 3 unknown status
            "M3,C1,,2016-10-21 10:00,failed\n"       # 4 empty template
        ),
        "calls/c.csv": (
            "call_id,queue,arrived_at,ended_at,outcome,answered_at,resolution\n"
            "K1,iphone,2016-10-21 10:00:00,2016-10-21 10:05:00,answered,2016-10-21 10:00:20,resolved\n"  # 2 ok
            "K2,iphone,2016-10-21 10:00:00,2016-10-21 10:05:00,answered,2016-10-21 09:59:59,resolved\n"  # 3
            "K3,iphone,2016-10-21 10:00:00,2016-10-21 09:00:00,abandoned,,\n"                            # 4
            "K4,iphone,2016-10-21 10:00:00,2016-10-21 10:05:00,answered,,resolved\n"                     # 5
            "K5,iphone,2016-10-21 10:00:00,2016-10-21 10:05:00,dropped,,\n"                              # 6
            "K6,iphone,2016-10-21 10:00:00,2016-10-21 10:05:00,answered,2016-10-21 10:00:10,shrug\n"     # 7
            "K7,iphone,2016-10-21 10:00:00,2016-10-21 10:00:00,rejected,,\n"                             # 8 ok
        ),
    })
    got = {(r[0], r[1], r[2]): r[3] for r in sql_rows(store, "SELECT table_name, file, line, reason FROM rejected_rows")}
    expected = {
        ("orders", "o.csv", 3): "customer_id is empty",
        ("orders", "o.csv", 4): "ordered_at is not a timestamp: 2016-10-07 25:00",
        ("orders", "o.csv", 5): "priority is not a boolean: maybe",
        ("orders", "o.csv", 6): "malformed CSV line",
        ("orders", "o.csv", 7): "malformed CSV line",
        ("orders", "o.csv", 8): "ordered_at is empty",
        ("orders", "o.csv", 9): "ordered_at is not a timestamp: 07/10/2016 10:00",
        ("shipments", "s.csv", 3): "event has unknown value: lost",
        ("activations", "a.csv", 3): "finished_at is before requested_at",
        ("activations", "a.csv", 4): "result is success/failed without finished_at",
        ("activations", "a.csv", 5): "result is success/failed without finished_at",
        ("activations", "a.csv", 6): "result is failed without error_code",
        ("activations", "a.csv", 7): "requested_via has unknown value: fax",
        ("activations", "a.csv", 9): "result has unknown value: done",
        ("messages", "m.csv", 3): "status has unknown value: bounced",
        ("messages", "m.csv", 4): "template is empty",
        ("calls", "c.csv", 3): "answered_at is before arrived_at",
        ("calls", "c.csv", 4): "ended_at is before arrived_at",
        ("calls", "c.csv", 5): "outcome is answered without answered_at",
        ("calls", "c.csv", 6): "outcome has unknown value: dropped",
        ("calls", "c.csv", 7): "resolution has unknown value: shrug",
    }
    assert sorted(got) == sorted(expected)
    for where, reason in expected.items():
        assert reason in got[where], (where, got[where])
    # the rejected row's content is kept: the malformed line as written, a typed row as JSON
    content = dict(((r[0], r[1]), r[2]) for r in sql_rows(
        store, "SELECT table_name, line, content FROM rejected_rows WHERE table_name IN ('orders', 'calls')"))
    assert content[("orders", 7)] == "O6,C6,web,IP7,Seoul,2016-10-07 10:00,no,extra"
    assert json.loads(content[("orders", 3)])["order_id"] == "O2"
    assert json.loads(content[("calls", 5)])["call_id"] == "K4"
    ing = ingest(store)
    assert {t: (i["rows_read"], i["rows_accepted"], i["rows_rejected"]) for t, i in ing.items()} == {
        "orders": (8, 1, 7), "shipments": (3, 2, 1), "activations": (9, 3, 6), "messages": (3, 1, 2),
        "calls": (7, 2, 5)}
    assert sql_rows(store, "SELECT event FROM shipments WHERE event_id = 'E3'") == [("delivered",)]
    # per-file figures agree
    assert files_of(sql_rows, store, "activations")["a.csv"][3:] == (9, 6)


def test_line_numbers_after_a_malformed_line(open_launch, sql_rows):
    store = open_launch({"orders/o.csv": (
        ORDERS
        + "O1,C1,web,IP7,Seoul,2016-10-07 10:00\n"   # 2
        + "broken\n"                                  # 3
        + "O3,C3,web,IP7,Seoul,2016-10-07 10:00\n"   # 4
        + "O4,,web,IP7,Seoul,2016-10-07 10:00\n"     # 5
        + "O5,C5,web,IP7,Seoul,2016-10-07 10:00\n"   # 6
    )})
    assert sorted(sql_rows(store, "SELECT order_id, _line FROM orders")) == [("O1", 2), ("O3", 4), ("O5", 6)]
    assert sorted(sql_rows(store, "SELECT line, content FROM rejected_rows")) == [
        (3, "broken"), (5, '{"order_id":"O4","customer_id":null,"channel":"web","sku":"IP7","region":"Seoul",'
                           '"ordered_at":"2016-10-07 10:00","model":null,"phone":null,"priority":null,'
                           '"allocated_at":null,"cancelled_at":null,"promised_delivery_by":null,'
                           '"promised_activation_by":null,"updated_at":null}')]


def test_extra_columns_are_kept_and_queryable(open_launch, sql_rows):
    store = open_launch({
        "orders/a.csv": "Order_ID, customer_id ,channel,sku,region,ordered_at,Store Code,메모\n"
                        "O1,C1,store,IP7,Seoul,2016-10-07 10:00,GN-01,급함\n",
        "orders/b.csv": ORDERS.rstrip("\n") + ",campaign\nO2,C2,web,IP7,Seoul,2016-10-07 11:00,early-bird\n",
    })
    assert sql_rows(store, "SELECT order_id, store_code, campaign FROM orders ORDER BY order_id") == [
        ("O1", "GN-01", None), ("O2", None, "early-bird")]
    assert store.extras("orders") == ["store_code", "메모", "campaign"]
    assert sql_rows(store, 'SELECT "메모" FROM orders WHERE order_id = \'O1\'') == [("급함",)]
    assert ingest(store)["orders"]["rows_rejected"] == 0


# -- versions and reconciliation ---------------------------------------------------------------

VERSIONED = "order_id,customer_id,channel,sku,region,ordered_at,allocated_at,updated_at\n"


def test_version_with_greatest_updated_at_wins_even_from_an_earlier_file(open_launch, sql_rows):
    store = open_launch({
        "orders/a.csv": VERSIONED + "O1,C1,web,IP7,Seoul,2016-10-07 10:00,2016-10-08 09:00,2016-10-08 09:00\n",
        "orders/b.csv": VERSIONED + "O1,C1,web,IP7,Seoul,2016-10-07 10:00,,2016-10-07 10:00\n",
    })
    assert sql_rows(store, "SELECT _file FROM orders") == [("a.csv",)]
    assert ingest(store)["orders"]["superseded"] == 1


def test_version_without_updated_at_file_sorting_last_wins_then_last_row(open_launch, sql_rows):
    store = open_launch({
        "orders/2016-10-08.csv": ORDERS + "O1,C1,web,IP7,Seoul,2016-10-07 10:00\n"
                                         "O2,C2,web,IP7,Seoul,2016-10-07 10:00\n",
        "orders/2016-10-09.csv": ORDERS + "O1,C1,app,IP7,Seoul,2016-10-07 10:00\n"      # line 2
                                         "O1,C1,store,IP7,Seoul,2016-10-07 10:00\n",   # line 3 wins
        "orders/2016-10-07.csv": ORDERS + "O1,C1,sms,IP7,Seoul,2016-10-07 10:00\n",
    })
    assert sorted(sql_rows(store, "SELECT order_id, channel, _file, _line FROM orders")) == [
        ("O1", "store", "2016-10-09.csv", 3), ("O2", "web", "2016-10-08.csv", 3)]
    assert ingest(store)["orders"] == {"files": 3, "files_rejected": 0, "rows_read": 5, "rows_accepted": 5,
                                       "rows_rejected": 0, "superseded": 3, "orphans": 0}


def test_version_tie_on_updated_at_falls_back_to_file_order(open_launch, sql_rows):
    store = open_launch({
        "orders/b.csv": VERSIONED + "O1,C1,web,IP7,Seoul,2016-10-07 10:00,,2016-10-08 09:00+09:00\n",
        # same instant written in UTC: a tie, so the file sorting last (b.csv) wins
        "orders/a.csv": VERSIONED + "O1,C1,app,IP7,Seoul,2016-10-07 10:00,,2016-10-08 00:00Z\n",
    })
    assert sql_rows(store, "SELECT channel FROM orders") == [("web",)]


def test_pending_attempt_becomes_success_in_a_later_drop(open_launch, sql_rows):
    head = "attempt_id,order_id,requested_via,requested_at,result,finished_at,error_code,updated_at\n"
    store = open_launch({
        "orders/o.csv": orders_csv("O1"),
        "activations/1.csv": head + "A1,O1,auto,2016-10-21 11:00,pending,,,2016-10-21 11:00\n",
        "activations/2.csv": head + "A1,O1,auto,2016-10-21 11:00,success,2016-10-21 11:30,,2016-10-21 11:30\n",
    })
    assert sql_rows(store, "SELECT result FROM activations") == [("success",)]
    assert ingest(store)["activations"] == {"files": 2, "files_rejected": 0, "rows_read": 2, "rows_accepted": 2,
                                            "rows_rejected": 0, "superseded": 1, "orphans": 0}


def test_reconciliation_identities_and_orphans(open_launch):
    ship = "event_id,order_id,courier,event,event_at\n"
    msg = "message_id,customer_id,template,sent_at,status,order_id\n"
    store = open_launch({
        "orders/o.csv": orders_csv("O1", "O2", "O1") + "O3,,web,IP7,Seoul,2016-10-07 10:00\n",
        "shipments/s1.csv": ship + "E1,O1,CJ,packed,2016-10-20 10:00\n"
                                   "E2,O9,CJ,packed,2016-10-20 10:00\n"      # orphan
                                   "E3,O9,CJ,at_hub,2016-10-20 12:00\n"      # orphan
                                   "E4,O1,CJ,teleported,2016-10-20 12:00\n",  # rejected
        "shipments/s2.csv": ship + "E2,O9,CJ,picked_up,2016-10-20 11:00\n",  # new version of an orphan
        "messages/m.csv": msg + "M1,C1,T,2016-10-21 10:00,delivered,O1\n"
                                "M2,C7,T,2016-10-21 10:00,delivered,\n"        # no order_id: not an orphan
                                "M3,C8,T,2016-10-21 10:00,delivered,O404\n",   # orphan
    })
    ing = ingest(store)
    # orders: 4 rows read, O3 rejected, O1 twice -> 2 keys + 1 superseded
    assert ing["orders"] == {"files": 1, "files_rejected": 0, "rows_read": 4, "rows_accepted": 3,
                             "rows_rejected": 1, "superseded": 1, "orphans": 0}
    # shipments: 5 read, 1 rejected, keys E1 E2 E3, E2 superseded once; orphans: E2, E3 (distinct keys)
    assert ing["shipments"] == {"files": 2, "files_rejected": 0, "rows_read": 5, "rows_accepted": 4,
                                "rows_rejected": 1, "superseded": 1, "orphans": 2}
    assert ing["messages"]["orphans"] == 1
    for t in ing.values():
        assert t["rows_read"] == t["rows_accepted"] + t["rows_rejected"]
    assert report.build(store)["orders"]["total"] == 2


# -- timestamps and booleans -------------------------------------------------------------------

TIMES = [
    ("T1", "2016-10-21 22:00", datetime(2016, 10, 21, 13, 0)),             # launch-local (Seoul)
    ("T2", "2016-10-21T22:00", datetime(2016, 10, 21, 13, 0)),
    ("T3", "2016-10-21 22:00:05", datetime(2016, 10, 21, 13, 0, 5)),
    ("T4", "2016-10-21T22:00:05.250", datetime(2016, 10, 21, 13, 0, 5, 250000)),
    ("T5", "2016-10-21 22:00:05.123456", datetime(2016, 10, 21, 13, 0, 5, 123456)),
    ("T6", "2016-10-21T13:00:00Z", datetime(2016, 10, 21, 13, 0)),
    ("T7", "2016-10-21 13:00Z", datetime(2016, 10, 21, 13, 0)),
    ("T8", "2016-10-21T22:00:00+09:00", datetime(2016, 10, 21, 13, 0)),
    ("T9", "2016-10-21 08:00:00-05:00", datetime(2016, 10, 21, 13, 0)),
    ("T10", "2016-10-21T22:00+0900", datetime(2016, 10, 21, 13, 0)),
    ("T11", "2016-10-21 13:00:00z", datetime(2016, 10, 21, 13, 0)),
]


def _times_extract():
    return {"orders/o.csv": ORDERS + "".join(f"{k},C,web,IP7,Seoul,{text}\n" for k, text, _ in TIMES)}


def test_timestamp_spellings_launch_zone_default(open_launch, sql_rows):
    store = open_launch(_times_extract())
    got = {k: ts.astimezone(timezone.utc).replace(tzinfo=None) for k, ts in sql_rows(store, "SELECT order_id, ordered_at FROM orders")}
    assert got == {k: utc for k, _, utc in TIMES}


def test_timestamp_without_offset_follows_launch_timezone(open_launch, sql_rows):
    store = open_launch(_times_extract(), toml='[launch]\ntimezone = "UTC"\n')
    got = {k: ts.astimezone(timezone.utc).replace(tzinfo=None) for k, ts in sql_rows(store, "SELECT order_id, ordered_at FROM orders")}
    # no offset -> read as UTC now: 22:00 UTC; explicit offsets keep their instant (13:00 UTC)
    assert got["T1"] == datetime(2016, 10, 21, 22, 0)
    assert got["T5"] == datetime(2016, 10, 21, 22, 0, 5, 123456)
    assert got["T6"] == got["T8"] == got["T9"] == datetime(2016, 10, 21, 13, 0)
    assert report.build(store)["as_of"] == "2016-10-21T22:00:05.250000+00:00"


def test_bad_timestamps_are_rejected(open_launch, sql_rows):
    bad = ["2016-10-21", "2016-02-30 10:00", "2016-02-30 10:00:00", "2016-10-07 24:00:00", "2016-10-07 10:00:0x", "2016-10-21 10:00:60", "21.10.2016 10:00",
           "2016-10-21 10:00:00.1234567", "yesterday", "2016-10-21T10"]
    store = open_launch({"orders/o.csv": ORDERS + "".join(f"B{i},C,web,IP7,Seoul,{t}\n" for i, t in enumerate(bad))})
    assert sql_rows(store, "SELECT count(*) FROM orders") == [(0,)]
    assert sorted(r[0] for r in sql_rows(store, "SELECT reason FROM rejected_rows")) == sorted(
        f"ordered_at is not a timestamp: {t}" for t in bad)


def test_boolean_spellings(open_launch, sql_rows):
    spellings = {"true": True, "TRUE": True, "True": True, "1": True, "y": True, "Y": True, "yes": True,
                 "YES": True, "false": False, "False": False, "0": False, "n": False, "N": False, "no": False,
                 "No": False, " yes ": True, "": None}
    head = ORDERS.rstrip("\n") + ",priority\n"
    lines = [f"B{i},C,web,IP7,Seoul,2016-10-07 10:00,{s}\n" for i, s in enumerate(spellings)]
    lines.append("BX,C,web,IP7,Seoul,2016-10-07 10:00,2\n")
    lines.append("BY,C,web,IP7,Seoul,2016-10-07 10:00,t\n")
    store = open_launch({"orders/o.csv": head + "".join(lines)})
    got = dict(sql_rows(store, "SELECT order_id, priority FROM orders"))
    assert got == {f"B{i}": v for i, v in enumerate(spellings.values())}
    assert sorted(r[0] for r in sql_rows(store, "SELECT reason FROM rejected_rows")) == [
        "priority is not a boolean: 2", "priority is not a boolean: t"]



def test_crlf_quotes_header_only_and_no_final_newline(open_launch, sql_rows):
    store = open_launch({
        "orders/a.csv": (ORDERS.rstrip("\n") + ",priority\r\n"
                         "O1,C1,web,IP7,\"Seoul, Gangnam\",2016-10-07 10:00,yes\r\n"
                         "O2,C2,web,IP7,\"He said \"\"hi\"\"\",2016-10-07 10:00,no\r\n"
                         "O3,C3,web,IP7,Busan,2016-10-07 10:00,\r\n").encode("cp949"),
        "orders/b.csv": ORDERS,                                            # a header and no rows: loaded, empty
        "orders/c.csv": ORDERS + "O9,C9,web,IP7,Seoul,2016-10-07 10:00",  # no newline at the end
    })
    assert sorted(sql_rows(store, "SELECT order_id, region, priority, _line FROM orders")) == [
        ("O1", "Seoul, Gangnam", True, 2), ("O2", 'He said "hi"', False, 3), ("O3", "Busan", None, 4),
        ("O9", "Seoul", None, 2)]
    assert {n: f[0] for n, f in files_of(sql_rows, store).items()} == {"a.csv": "loaded", "b.csv": "loaded",
                                                                     "c.csv": "loaded"}
    assert ingest(store)["orders"]["rows_read"] == 4


def test_unterminated_quote_keeps_the_rest_of_the_file_as_one_rejected_record(open_launch, sql_rows):
    store = open_launch({"orders/a.csv": ORDERS
                         + "O1,C1,web,IP7,Seoul,2016-10-07 10:00\n"
                         + "O2,C2,web,IP7,\"Seoul,2016-10-07 10:00\n"
                         + "O3,C3,web,IP7,Seoul,2016-10-07 10:00\n"})
    assert sql_rows(store, "SELECT order_id FROM orders") == [("O1",)]
    ((line, reason, content),) = sql_rows(store, "SELECT line, reason, content FROM rejected_rows")
    assert line == 3 and reason.startswith("malformed CSV line") and "O3,C3" in content
    assert ingest(store)["orders"]["rows_read"] == 2


def test_version_with_updated_at_beats_one_without(open_launch, sql_rows):
    # Our reading: a dated version outranks an undated one whatever the file order
    # (updated_at is the source system's own clock; file order only breaks ties and undated rows).
    store = open_launch({
        "orders/a.csv": VERSIONED + "O1,C1,web,IP7,Seoul,2016-10-07 10:00,,2016-10-07 10:00\n",
        "orders/b.csv": VERSIONED + "O1,C1,app,IP7,Seoul,2016-10-07 10:00,,\n",
    })
    assert sql_rows(store, "SELECT channel FROM orders") == [("web",)]


# -- the cycle collector while files are read ---------------------------------------------------

def test_the_cycle_collector_is_relaxed_while_files_load_and_put_back_after(open_launch, monkeypatch):
    import gc

    from launchboard import ingest as ingest_module

    seen = []
    load_file = ingest_module.load_file

    def recording(*args, **kwargs):
        seen.append(gc.get_threshold())
        return load_file(*args, **kwargs)

    monkeypatch.setattr(ingest_module, "load_file", recording)
    before = gc.get_threshold()
    assert before != ingest_module.LOAD_GC_THRESHOLDS
    open_launch({"orders/a.csv": orders_csv("O1"), "orders/b.csv": orders_csv("O2")})
    assert seen == [ingest_module.LOAD_GC_THRESHOLDS] * 2
    assert gc.get_threshold() == before
    # two loads at once (two Stores): the first one out leaves it relaxed for the other
    with ingest_module.collector_relaxed():
        with ingest_module.collector_relaxed():
            assert gc.get_threshold() == ingest_module.LOAD_GC_THRESHOLDS
        assert gc.get_threshold() == ingest_module.LOAD_GC_THRESHOLDS
    assert gc.get_threshold() == before
