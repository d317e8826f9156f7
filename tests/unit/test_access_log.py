"""The access log: appended and read, never changed or deleted (triggers), a hash chain that
shows a change made behind the app's back, and out of the Explore sandbox's reach."""
from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

import pytest

from launchboard.accesslog import AccessLog, AccessLogError
from launchboard.sandbox import Sandbox, SandboxError

AT = datetime(2016, 10, 21, 13, 0, tzinfo=timezone.utc)


@pytest.fixture
def log(tmp_path):
    log = AccessLog.in_folder(tmp_path / "state")
    log.append("sign_in", user="mina", role="agent", session="s1", detail="password", at=AT)
    log.append("lookup", user="mina", role="agent", session="s1", page="lookup",
               target="customer C1; orders O1, O2", detail="order id: O1", at=AT)
    log.append("phone_reveal", user="mina", role="agent", session="s1", page="lookup",
               target="order O1; customer C1", detail="last four confirmed", at=AT)
    return log


def test_entries_are_read_newest_first(log):
    df = log.frame()
    assert df["id"].tolist() == [3, 2, 1]
    assert df["event"].tolist() == ["phone_reveal", "lookup", "sign_in"]
    assert df.loc[1, ["user", "role", "page", "target", "detail"]].tolist() == [
        "mina", "agent", "lookup", "customer C1; orders O1, O2", "order id: O1"]
    assert str(df.loc[0, "at"]) == "2016-10-21 13:00:00+00:00"
    assert log.frame(events=["lookup"])["id"].tolist() == [2]
    assert log.frame(users=["jun"]).empty
    assert log.count() == 3 and log.users() == ["mina"]


def test_rows_cannot_be_changed_or_deleted(log):
    con = sqlite3.connect(log.path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only: rows cannot be deleted"):
            con.execute("DELETE FROM access_log WHERE event = 'lookup'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only: rows cannot be changed"):
            con.execute("UPDATE access_log SET user = 'someone' WHERE id = 2")
    finally:
        con.close()
    assert log.count() == 3 and log.verify().intact


def test_the_chain_shows_a_change_made_outside_the_app(log):
    assert log.verify().rows == 3 and log.verify().intact
    con = sqlite3.connect(log.path)
    try:  # someone who owns the file drops the trigger and edits a row
        con.execute("DROP TRIGGER access_log_no_update")
        con.execute("UPDATE access_log SET target = 'customer C9; orders O9' WHERE id = 2")
        con.commit()
    finally:
        con.close()
    chain = log.verify()
    assert (chain.rows, chain.intact, chain.first_bad) == (2, False, 2)


def test_a_deleted_row_breaks_the_chain(log):
    con = sqlite3.connect(log.path)
    try:
        con.execute("DROP TRIGGER access_log_no_delete")
        con.execute("DELETE FROM access_log WHERE id = 2")
        con.commit()
    finally:
        con.close()
    assert log.verify().intact is False and log.verify().first_bad == 3


def test_an_unwritable_log_refuses(tmp_path):
    (tmp_path / "file").write_text("x")
    log = AccessLog(tmp_path / "file" / "access_log.sqlite3")  # its folder is a file
    with pytest.raises(AccessLogError, match="cannot write the access log access_log.sqlite3"):
        log.append("sign_in", user="mina")
    with pytest.raises(ValueError, match="unknown access-log event 'drop_table'"):
        AccessLog(tmp_path / "x.sqlite3").append("drop_table", user="mina")


def test_the_explore_sandbox_cannot_reach_the_log(log, open_launch):
    store = open_launch({"orders/o.csv": "order_id,customer_id,channel,sku,region,ordered_at\n"
                                         "O1,C1,web,IP7,Seoul,2016-10-07 10:00\n"})
    box = Sandbox(store, datetime(2016, 10, 8, tzinfo=timezone.utc))
    try:
        path = str(log.path)
        for query, says in ((f"SELECT * FROM read_text('{path}')", "Not allowed here"),
                            (f"SELECT * FROM sqlite_scan('{path}', 'access_log')", "sqlite_scan"),
                            (f"ATTACH '{path}' AS log (TYPE sqlite)", "this is an ATTACH statement"),
                            (f"SELECT * FROM '{path}'", "Table with name <server path> does not exist")):
            with pytest.raises(SandboxError) as err:
                box.run(query)
            assert says in str(err.value)
            assert path not in str(err.value) and str(log.path.parent) not in str(err.value)
    finally:
        box.close()
    assert log.count() == 3
