"""An Asterisk queue_log source through the Store: files read in name order with their open calls
carried over, rows and rejected lines per file, the counts that are not rows, the callers'
customers from the orders' phones (matched, ambiguous, unknown, withheld, and fixed by a later
orders drop), and a wrap-up in a later file as a new version.

T = 1476921600 is 2016-10-20 00:00:00 UTC (09:00 in Seoul). Every figure is worked out by hand
from the lines below (line numbers in the comments).
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from launchboard import report
from launchboard.config import ConfigError
from launchboard.loader import open_store
from launch_files import make_launch

T = 1476921600
UTC = timezone.utc
TOML = """\
[launch]
timezone = "Asia/Seoul"

[[sources]]
name = "pbx"
table = "calls"
folder = "asterisk"
files = "queue_log*"
format = "asterisk_queue_log"
"""
ORDERS_HEAD = "order_id,customer_id,channel,sku,region,ordered_at,phone\n"
# C2 and C3 share one number (a family phone): ambiguous. O5..O10 only make the launch bigger,
# so that the later drops are applied incrementally (see test_orders_arriving_later...).
ORDERS = ORDERS_HEAD + "".join([
    "O1,C1,web,IP7,Seoul,2016-10-14 09:00,010-1111-2222\n",
    "O2,C2,web,IP7,Seoul,2016-10-14 09:00,010-3333-4444\n",
    "O3,C3,web,IP7,Seoul,2016-10-14 09:00,010 3333 4444\n",
] + [f"O{k},C{k},web,IP7,Seoul,2016-10-14 09:00,010-9000-000{k}\n" for k in range(5, 10)])
FILE_1 = "\n".join([
    f"{T}|NONE|NONE|A1|AGENTLOGIN|SIP/7001",  # 1 other event
    f"{T + 1}|u1|iphone|NONE|ENTERQUEUE||01011112222|1",  # 2 u1 waits
    f"{T + 2}|u2|iphone|NONE|ENTERQUEUE||+82 10-3333-4444|2",  # 3 u2: the shared number
    f"{T + 5}|u3|general|NONE|ENTERQUEUE||07012345678|1",  # 4 u3: a number no order carries
    f"{T + 6}|u4|iphone|NONE|FULL|||",  # 5 u4 refused on arrival: a row (no caller id)
    f"{T + 7}|u3|general|NONE|EXITEMPTY|1|1|2",  # 6 u3 rejected: a row
    f"{T + 8}|u1|iphone|A1|CONNECT|7|u1.9|2",  # 7 u1 answered, still open
    f"{T + 40}|u2|iphone|NONE|ABANDON|1|2|38",  # 8 u2 abandoned: a row
    f"{T + 41}|u5|iphone|NONE|ENTERQUEUE||010-5555-6666|1",  # 9 u5 waits (its order comes later)
    f"{T + 42}|u5|iphone|NONE|HOLD|jazz",  # 10 unknown event: rejected
    "garbage",  # 11 unreadable: rejected
    f"{T + 50}|u6|iphone|A1|COMPLETEAGENT|||",  # 12 u6: no start, no connect, no times: rejected row
]) + "\n"
# Bigger than FILE_1 (twelve other lines), so biggest-first loading would read it first: the
# source's files must be read in name order for u1 and u5 to keep their ENTERQUEUE.
FILE_2 = "\n".join([
    f"{T + 100}|u1|iphone|A1|COMPLETECALLER|7|92|1",  # 1 u1 ends: a row (8 - 1 = 7 hold, 100 - 8 = 92 talk)
    f"{T + 110}|u1|iphone|A1|WRAPUP|delivery|no_info",  # 2 after the end, same file: part of u1's row
    f"{T + 120}|u5|iphone|NONE|ABANDON|1|1|79",  # 3 u5 abandoned after 79 s: a row
] + [f"{T + 130 + k}|NONE|iphone|A1|{'PAUSE|break' if k % 2 == 0 else 'UNPAUSE|'}" for k in range(12)]) + "\n"
FILE_3 = f"{T + 200}|u2|iphone|A2|WRAPUP|stock|callback\n"  # a later file: a new version of u2


def _rows(store, query, params=None):
    cur = store.cursor()
    try:
        return cur.execute(query, params or {}).fetchall()
    finally:
        cur.close()


def _at(seconds: int) -> datetime:
    return datetime.fromtimestamp(T + seconds, UTC)


@pytest.fixture
def data(tmp_path):
    return make_launch(tmp_path, {"orders/o1.csv": ORDERS, "asterisk/queue_log-01": FILE_1,
                                  "asterisk/queue_log-02": FILE_2}, TOML)


def test_calls_rows_rejected_lines_and_counts_per_file(data):
    store = open_store(data)
    try:
        calls = _rows(store, "SELECT call_id, queue, outcome, arrived_at, answered_at, ended_at, agent_id, reason,"
                             " resolution, customer_id, _file, _line FROM calls ORDER BY call_id")
        assert calls == [
            ("u1", "iphone", "answered", _at(1), _at(8), _at(100), "A1", "delivery", "no_info", "C1",
             "asterisk/queue_log-02", 1),
            ("u2", "iphone", "abandoned", _at(2), None, _at(40), None, None, None, None, "asterisk/queue_log-01", 8),
            ("u3", "general", "rejected", _at(5), None, _at(7), None, None, None, None, "asterisk/queue_log-01", 6),
            ("u4", "iphone", "rejected", _at(6), None, _at(6), None, None, None, None, "asterisk/queue_log-01", 5),
            ("u5", "iphone", "abandoned", _at(41), None, _at(120), None, None, None, None,
             "asterisk/queue_log-02", 3),
        ]
        assert _rows(store, "SELECT file, line, reason, content FROM rejected_rows ORDER BY line") == [
            ("asterisk/queue_log-01", 10, "unknown queue_log event: HOLD", f"{T + 42}|u5|iphone|NONE|HOLD|jazz"),
            ("asterisk/queue_log-01", 11, "unreadable queue_log line: 1 field(s), expected at least 5 "
                                          "(epoch|uniqueid|queue|agent|event)", "garbage"),
            ("asterisk/queue_log-01", 12, "arrived_at is empty; outcome is answered without answered_at",
             f"{T + 50}|u6|iphone|A1|COMPLETEAGENT|||"),
        ]
        # file 1: rows u4, u3, u2 and u6 (rejected) + 2 unreadable lines; file 2: u1 and u5
        assert _rows(store, "SELECT file, source, rows_read, rows_rejected FROM files ORDER BY file") == [
            ("asterisk/queue_log-01", "pbx", 6, 3), ("asterisk/queue_log-02", "pbx", 2, 0),
            ("o1.csv", None, 8, 0)]
        counts = dict(((f, k), n) for f, k, n in _rows(store, "SELECT file, figure, n FROM source_counts"))
        assert counts == {
            ("asterisk/queue_log-01", "lines"): 12, ("asterisk/queue_log-01", "call_lines"): 9,
            ("asterisk/queue_log-01", "event:AGENTLOGIN"): 1, ("asterisk/queue_log-01", "open_calls"): 2,
            ("asterisk/queue_log-01", "start_missing"): 1, ("asterisk/queue_log-01", "wrapups_waiting"): 0,
            ("asterisk/queue_log-02", "lines"): 15, ("asterisk/queue_log-02", "call_lines"): 3,
            ("asterisk/queue_log-02", "event:PAUSE"): 6, ("asterisk/queue_log-02", "event:UNPAUSE"): 6,
            ("asterisk/queue_log-02", "open_calls"): 0, ("asterisk/queue_log-02", "wrapups_waiting"): 0,
        }
        rep = report.build(store, None)
        assert rep["ingest"]["calls"] == {"files": 2, "files_rejected": 0, "rows_read": 8, "rows_accepted": 5,
                                          "rows_rejected": 3, "superseded": 0, "orphans": 0}
        assert {k: rep["calls"][k] for k in ("offered", "answered", "abandoned", "rejected")} == {
            "offered": 5, "answered": 1, "abandoned": 2, "rejected": 2}
        assert rep["calls"]["asa_seconds"] == 7.0 and rep["calls"]["no_info"] == 1
    finally:
        store.close()


def test_orders_arriving_later_and_a_later_wrapup(data):
    store = open_store(data)
    store.DELTA_SHARE = 1.0  # the drops below go through the incremental path
    try:
        # u5 called from 010-5555-6666 before any order carried it: unknown
        assert _rows(store, "SELECT customer_id FROM calls WHERE call_id = 'u5'") == [(None,)]
        (data / "orders" / "o2.csv").write_text(
            ORDERS_HEAD + "O4,C4,app,IP7,Busan,2016-10-19 10:00,+82 10 5555 6666\n", encoding="utf-8")
        (data / "asterisk" / "queue_log-03").write_text(FILE_3, encoding="utf-8")
        assert store.refresh() == 2
        assert _rows(store, "SELECT call_id, customer_id, reason, resolution, updated_at FROM calls"
                            " WHERE call_id IN ('u2', 'u5') ORDER BY 1") == [
            ("u2", None, "stock", "callback", _at(200)),  # still ambiguous; the version from file 3 wins
            ("u5", "C4", None, None, None),  # the new order carries the number
        ]
        # O4 (ordered 10-19 10:00) is u5's order when it called (10-20 09:00:41): its facts followed
        assert _rows(store, "SELECT caller_order_id FROM call_facts WHERE call_id = 'u5'") == [("O4",)]
        rep = report.build(store, None)
        assert rep["ingest"]["calls"]["rows_read"] == 9 and rep["ingest"]["calls"]["superseded"] == 1
        assert rep["ingest"]["calls"]["rows_accepted"] == 6
    finally:
        store.close()


def test_a_bad_option_is_a_config_error(tmp_path):
    bad = make_launch(tmp_path, {}, TOML + '[sources.options]\nwrapup_event = "A|B"\n')
    with pytest.raises(ConfigError, match="wrapup_event must be an event name"):
        open_store(bad)
    other = make_launch(tmp_path / "x", {}, TOML + '[sources.options]\ncolour = "red"\n')
    with pytest.raises(ConfigError, match="unknown option.*colour"):
        open_store(other)
