"""Personal data: name-like columns are never stored, phones are masked wherever rows are shown
(rejected rows too), the only unmasked phone needs its last four digits, and Explore shows no
server path."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from launchboard import lookup, sql
from launchboard.sandbox import Sandbox, SandboxError
from launchboard.schema import TABLES, is_personal, stored_extras, withheld

# 고객명 and "Customer Name" (customer_name) and a second "name" column (name_2) are personal;
# "note" is an ordinary extra column. Line 3 has a bad timestamp, line 4 an unterminated quote.
ORDERS = ("order_id,customer_id,channel,sku,region,ordered_at,phone,고객명,Customer Name,name,name,note\n"
          "O1,C1,web,IP7,Seoul,2016-10-07 10:00,010-1234-5678,김철수,Kim,K,K2,hello\n"
          "O2,C2,web,IP7,Seoul,not a time,+82 10-2222-3333,이영희,Lee,L,L2,x\n"
          'O3,"C3,web\n')


def test_which_columns_are_personal():
    orders = TABLES["orders"]
    names = ["order_id", "phone", "고객명", "customer_name", "name", "name_2", "성명", "주소", "email", "note", "model"]
    assert [n for n in names if is_personal(n)] == ["고객명", "customer_name", "name", "name_2", "성명", "주소", "email"]
    assert stored_extras(orders, names) == ["note"]
    assert withheld(orders, names) == ["고객명", "customer_name", "name", "name_2", "성명", "주소", "email"]


def test_personal_columns_are_not_loaded_nor_kept_in_rejected_rows(open_launch, sql_rows):
    store = open_launch({"orders/o.csv": ORDERS})
    assert store.extras("orders") == ["note"]
    columns = [r[0] for r in sql_rows(store, "DESCRIBE orders")]
    assert "note" in columns and not [c for c in columns if is_personal(c)]
    assert sql_rows(store, "SELECT order_id, note FROM orders") == [("O1", "hello")]
    assert store.withheld() == {"orders": {"customer_name": ["o.csv"], "name": ["o.csv"], "name_2": ["o.csv"],
                                           "고객명": ["o.csv"]}}
    rejected = sql_rows(store, "SELECT line, reason, content FROM rejected_rows ORDER BY line")
    assert [r[0] for r in rejected] == [3, 4]
    for name in ("김철수", "이영희", "Kim", "Lee", '"K2"', '"L2"'):
        assert not any(name in (r[2] or "") for r in rejected), name
    assert rejected[1][2] == "(not kept: the file has personal columns: 고객명, customer_name, name, name_2)"
    assert rejected[1][1].startswith("malformed CSV line: ")


def test_rejected_rows_show_phones_masked(open_launch):
    store = open_launch({"orders/o.csv": ORDERS})
    cur = store.cursor()
    try:
        rows = sql.run(cur, "quality_rejected_rows", {"table_name": "orders", "max_rows": None}).fetchall()
    finally:
        cur.close()
    content = rows[0][3]
    assert '"phone":"010-****-3333"' in content and "2222" not in content
    assert rows[0][2] == "ordered_at is not a timestamp: not a time"


def test_lb_mask_phones_in(open_launch, sql_rows):
    store = open_launch({})
    cases = {"010-1234-5678": "010-****-5678", "01012345678": "010-****-5678", "+82 10-1234-5678": "010-****-5678",
             "tel 02-123-4567.": "tel 02-****-4567.", "O0000123": "O0000123",
             "2016-10-21 10:00:00": "2016-10-21 10:00:00", "12345678901234": "12345678901234"}
    for raw, masked in cases.items():
        assert sql_rows(store, "SELECT lb_mask_phones_in($s)", {"s": raw}) == [(masked,)], raw


def test_a_phone_is_shown_only_for_its_last_four_digits(open_launch):
    store = open_launch({"orders/o.csv": ORDERS})
    cur = store.cursor()
    try:
        assert lookup.reveal_phone(cur, "O1", "5678") == "010-1234-5678"
        assert lookup.reveal_phone(cur, "O1", " 5678 ") == "010-1234-5678"
        assert lookup.reveal_phone(cur, "O1", "1234") is None
        assert lookup.reveal_phone(cur, "O9", "5678") is None
        with pytest.raises(ValueError, match="four digits"):
            lookup.reveal_phone(cur, "O1", "56x8")
        assert lookup.find(cur, "order", "O1", datetime(2016, 10, 8, tzinfo=timezone.utc))[0]["phone"] == "010-****-5678"
    finally:
        cur.close()


def test_explore_shows_no_server_path(open_launch, tmp_path):
    store = open_launch({"orders/o.csv": ORDERS})
    box = Sandbox(store, datetime(2016, 10, 8, tzinfo=timezone.utc))
    try:
        settings = box.run("SELECT name, value FROM duckdb_settings() "
                           "WHERE name IN ('secret_directory', 'allowed_directories') ORDER BY name").table.to_pylist()
        assert settings == [{"name": "allowed_directories", "value": "[<server path>]"},
                            {"name": "secret_directory", "value": "<server path>"}]
        dbs = box.run("SELECT DISTINCT d.database_name, d.path FROM orders, duckdb_databases() d "
                      "WHERE d.path IS NOT NULL").table.to_pylist()
        assert dbs == [{"database_name": "lb_copy_1", "path": "<server path>"}]
        nested = box.run("SELECT [current_setting('secret_directory')] AS l, "
                         "'10/21/2016 a/b' AS kept, 1 AS \"/home/someone\"").table
        assert nested.column_names == ["l", "kept", "<server path>"]
        assert nested.to_pylist() == [{"l": "['<server path>']", "kept": "10/21/2016 a/b", "<server path>": 1}]
        with pytest.raises(SandboxError) as err:
            box.run("SELECT extension_name, install_path FROM duckdb_extensions()")
        assert str(err.value) == ('Not allowed here (no file, network or extension access): Permission Error: '
                                  'Cannot access directory "<server path>" - file system operations are disabled '
                                  'by configuration')
        with pytest.raises(SandboxError) as err:
            box.run(f"SELECT * FROM read_text('{tmp_path}/x.txt')")
        assert str(tmp_path) not in str(err.value) and "<server path>" in str(err.value)
    finally:
        box.close()
