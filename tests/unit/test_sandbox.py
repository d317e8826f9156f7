"""Explore sandbox: analysts' SQL runs on a locked-down copy of the curated tables.

The hand-written launch: three orders (two with phones in different spellings), one
delivered shipment, one rejected order row whose content holds a phone number.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import duckdb
import pytest

from launch_files import make_launch

from launchboard.loader import Store
from launchboard.sandbox import EXAMPLES, VIEWS, Sandbox, SandboxError, check_statement, tables_of

SEOUL = ZoneInfo("Asia/Seoul")
ORDERS = (
    "order_id,customer_id,channel,sku,region,ordered_at,phone,allocated_at,promised_delivery_by,contact_mobile,휴대폰\n"
    "O1,C1,web,IP7-128-JBK,Seoul,2016-10-20 20:10,010-1234-5678,2016-10-20 21:00,2016-10-21 12:00,010 2222 3333,010-7777-8888\n"
    "O2,C2,store,IP7-32-BLK,Busan,2016-10-20 20:40,01098765432,,2016-10-21 13:00,,\n"
    "O3,C3,app,IP7-32-BLK,Seoul,2016-10-21 09:00,,,,,\n"
    "O4,C4,app,IP7-32-BLK,Seoul,not a time,010-5555-6666,,,,\n"
)
SHIPMENTS = (
    "event_id,order_id,courier,event,event_at,hub\n"
    "E1,O1,CJ,delivered,2016-10-21 11:30,Seoul HUB\n"
)
MESSAGES = (  # not in message_id order: the Store keeps messages as they arrived
    "message_id,customer_id,template,sent_at,status,order_id,batch_id,corrects_batch_id\n"
    "M3,C1,shipped,2016-10-21 10:00,delivered,O1,,\n"
    "M1,C1,order_received,2016-10-20 20:11,delivered,O1,,\n"
    "M2,C2,order_received,2016-10-20 20:41,delivered,O2,,\n"
)
AS_OF = datetime(2016, 10, 21, 12, 0, tzinfo=SEOUL)


@pytest.fixture(scope="module")
def store(open_module_launch):
    return open_module_launch({"orders/o.csv": ORDERS, "shipments/s.csv": SHIPMENTS, "messages/m.csv": MESSAGES})


@pytest.fixture(scope="module")
def sandbox(store):
    box = Sandbox(store, AS_OF)
    yield box
    box.close()


def test_a_normal_query_works_and_phones_are_masked(sandbox):
    res = sandbox.run("SELECT order_id, phone, contact_mobile, 휴대폰 FROM orders ORDER BY order_id")
    assert res.table.to_pylist() == [
        {"order_id": "O1", "phone": "010-****-5678", "contact_mobile": "010-****-3333", "휴대폰": "010-****-8888"},
        {"order_id": "O2", "phone": "010-****-5432", "contact_mobile": None, "휴대폰": None},
        {"order_id": "O3", "phone": None, "contact_mobile": None, "휴대폰": None},
    ]
    assert not res.truncated


def test_rejected_row_content_has_the_phone_masked(sandbox):
    (content,) = sandbox.run("SELECT content FROM rejected_rows").table.column("content").to_pylist()
    assert "010-****-6666" in content
    assert "5555" not in content and "not a time" in content


def test_order_stages_are_the_stages_at_the_moment(sandbox):
    res = sandbox.run("SELECT order_id, stage FROM order_stages ORDER BY order_id")
    # At 12:00: O1 delivered 11:30; O2 never allocated; O3 ordered 09:00, nothing else.
    assert res.table.to_pylist() == [
        {"order_id": "O1", "stage": "delivered"},
        {"order_id": "O2", "stage": "reserved"},
        {"order_id": "O3", "stage": "reserved"},
    ]


def test_a_copied_table_keeps_its_views_row_order(sandbox):
    # No ORDER BY in the query: the copy itself is sorted by message_id (VIEWS), the files by
    # table and name, whatever order the Store holds them in.
    assert sandbox.run("SELECT message_id FROM messages").table.column("message_id").to_pylist() == ["M1", "M2", "M3"]
    assert sandbox.run("SELECT table_name, file FROM files").table.to_pylist() == [
        {"table_name": "messages", "file": "m.csv"},
        {"table_name": "orders", "file": "o.csv"},
        {"table_name": "shipments", "file": "s.csv"},
    ]
    assert sandbox.row_counts()["messages"] == 3 and sandbox.row_counts()["files"] == 3


def test_every_curated_table_is_there_and_examples_run(sandbox):
    assert list(sandbox.row_counts()) == list(VIEWS)
    assert sandbox.row_counts()["orders"] == 3
    assert sandbox.row_counts()["rejected_rows"] == 1
    for name, query in EXAMPLES.items():
        sandbox.run(query)  # raises SandboxError if an example is broken
    top = sandbox.run(EXAMPLES["Orders by stage (at the moment)"]).table.to_pylist()
    assert top == [{"stage": "reserved", "orders": 2}, {"stage": "delivered", "orders": 1}]


@pytest.mark.parametrize("query, says", [
    ("SELECT * FROM read_csv('/etc/passwd')", "Not allowed here"),
    ("SELECT * FROM '/etc/passwd'", "Table with name <server path> does not exist"),  # no server path shown
    ("SELECT * FROM read_text('/etc/hostname')", "Not allowed here"),
    ("COPY orders TO '/tmp/pagesd_leak.csv'", "this is a COPY statement"),
    ("ATTACH '/tmp/pagesd_other.duckdb' AS other", "this is an ATTACH statement"),
    ("INSTALL httpfs", "this is a LOAD statement"),
    ("LOAD httpfs", "this is a LOAD statement"),
    ("SET enable_external_access = true", "this is a SET statement"),
    ("PRAGMA enable_profiling", "this is a PRAGMA statement"),
    ("CREATE TABLE x AS SELECT 1", "this is a CREATE statement"),
    ("SELECT 1; SELECT 2", "Only one statement at a time"),
    ("SELECT 1; DROP TABLE orders", "Only one statement at a time"),
    ("", "Write one SELECT query"),
    ("-- only a comment", "Write one SELECT query"),
    ("SELEC 1", "syntax error"),
    ("SELECT nope FROM orders", "nope"),
])
def test_escapes_and_bad_sql_are_refused_with_a_clear_message(sandbox, query, says):
    with pytest.raises(SandboxError) as info:
        sandbox.run(query)
    assert says in str(info.value)


def test_the_locked_configuration_stops_what_the_parser_lets_through(sandbox):
    # Defence in depth: even a statement that passed the check cannot reach files or settings.
    sandbox.run("SELECT count(*) FROM orders")
    con = sandbox.connect(["orders"])
    assert con.execute("SELECT count(*) FROM orders").fetchone() == (3,)
    for stmt in ("COPY orders TO '/tmp/pagesd_leak.csv'", "SET enable_external_access = true",
                 "ATTACH '/tmp/pagesd_other.duckdb'", "CREATE TABLE x (a INT)", "INSERT INTO orders (order_id) VALUES ('X')",
                 "SELECT * FROM read_text('/etc/hostname')"):
        with pytest.raises(duckdb.Error) as info:
            con.execute(stmt)
        assert any(s in str(info.value) for s in ("disabled by configuration", "locked", "read-only")), str(info.value)
    con.close()


def test_a_table_is_copied_the_first_time_a_query_reads_it(store):
    box = Sandbox(store, AS_OF)
    try:
        # the schema browser's columns and row counts come without copying anything
        assert box.copied() == [] and box.row_counts()["order_stages"] == 3
        assert list(box.schema().query("table == 'shipments'")["column"])[:3] == ["event_id", "order_id", "courier"]
        first = box.run("SELECT o.order_id, s.event FROM orders o JOIN shipments s USING (order_id)")
        assert first.copied == ("orders", "shipments") and first.table.to_pylist() == [
            {"order_id": "O1", "event": "delivered"}]
        again = box.run("WITH d AS (SELECT * FROM shipments) SELECT count(*) AS n FROM d, orders")
        assert again.copied == () and again.copy_seconds == 0.0 and again.table.to_pylist() == [{"n": 3}]
        assert box.run("SELECT 42 AS x").copied == ()
        assert box.copied() == ["orders", "shipments"]
    finally:
        box.close()


def test_copies_read_the_launch_as_of_the_sandbox_version(tmp_path):
    data = make_launch(tmp_path, {"orders/o.csv": ORDERS})
    store = Store(data)
    try:
        store.refresh()
        box = Sandbox(store, AS_OF)
        assert box.version == 1 and box.run("SELECT count(*) AS n FROM orders").table.to_pylist() == [{"n": 3}]
        (data / "orders" / "o2.csv").write_text(
            "order_id,customer_id,channel,sku,region,ordered_at\nO9,C9,web,IP7-32-BLK,Seoul,2016-10-21 10:00\n",
            encoding="utf-8")
        store.refresh()
        # orders was copied at version 1 and stays so; a first copy now would mix versions
        assert box.run("SELECT count(*) AS n FROM orders").table.to_pylist() == [{"n": 3}]
        with pytest.raises(SandboxError, match="New extracts arrived since this page was drawn"):
            box.run("SELECT count(*) FROM order_stages")
        assert Sandbox(store, AS_OF).run("SELECT count(*) AS n FROM orders").table.to_pylist() == [{"n": 4}]
        box.close()
    finally:
        store.close()


def test_a_query_past_the_time_limit_is_interrupted(sandbox):
    with pytest.raises(SandboxError, match=r"ran past the 1 s time limit"):
        sandbox.run("SELECT count(*) FROM range(1000000000) a, range(1000000000) b WHERE a.range + b.range < 0",
                    time_limit=1.0)
    # The sandbox still works afterwards.
    assert sandbox.run("SELECT 42 AS x").table.to_pylist() == [{"x": 42}]


def test_a_result_past_the_cap_is_truncated(sandbox):
    res = sandbox.run("SELECT range AS n FROM range(10)", row_cap=4)
    assert res.truncated and res.table.column("n").to_pylist() == [0, 1, 2, 3]
    exact = sandbox.run("SELECT range AS n FROM range(4)", row_cap=4)
    assert not exact.truncated and exact.table.num_rows == 4


def test_duplicate_names_and_odd_types_display(sandbox):
    res = sandbox.run("SELECT 1 AS a, 2 AS a, INTERVAL 3 HOUR AS i, [1, 2] AS l, 1.50::DECIMAL(5, 2) AS d")
    df = res.frame()
    assert list(df.columns) == ["a", "a_1", "i", "l", "d"]
    assert df.loc[0, "d"] == 1.5 and isinstance(df.loc[0, "i"], str) and df.loc[0, "l"] == "[1 2]"


def test_check_statement_returns_the_single_select():
    assert check_statement("  WITH t AS (SELECT 1 AS x) SELECT x FROM t;  ") == "WITH t AS (SELECT 1 AS x) SELECT x FROM t"
    assert check_statement("FROM orders") == "FROM orders"


def test_tables_of_finds_every_table_a_statement_names():
    query = ('WITH d AS (SELECT * FROM Shipments) SELECT * FROM d JOIN "Calls" c USING (customer_id) '
             "WHERE EXISTS (FROM lb.messages) UNION ALL SELECT * FROM files, read_csv('/etc/passwd')")
    assert tables_of(query) == ["shipments", "messages", "calls", "files"]
    assert tables_of("SELECT 42") == []
