"""A Twilio message log source through the Store: status words, error codes, SentDate with the
source's format, template rules (prefix, regex with named groups, constants, the body_groups
fallback, no match), rows that are not notifications, and the customer from the body's order or
the recipient's number (matched, ambiguous, unknown, and fixed by a later orders drop).

Every figure is worked out by hand from the export below (its line numbers in the comments).
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone

import pytest

from launchboard import report
from launchboard.config import ConfigError
from launchboard.loader import open_store
from launch_files import make_launch

UTC = timezone.utc
TOML = r"""[launch]
timezone = "Asia/Seoul"

[[sources]]
name = "sms"
table = "messages"
folder = "twilio"
files = "*.csv"
format = "twilio_messages"
timestamp_format = "%a, %d %b %Y %H:%M:%S %z"
[sources.options]
body_groups = '주문 (?P<order_id>O\d+)'
[[sources.options.templates]]
template = "DELAY"
prefix = "[KT] 배송 지연"
batch_id = "B-DELAY"
[[sources.options.templates]]
template = "FIX"
regex = '^\[KT\] 정정 \((?P<corrects_batch_id>B-[A-Z]+)\)'
batch_id = "B-FIX"
[[sources.options.templates]]
template = "ARS"
regex = 'ARS.*주문 (?P<order_id>O\d+)'
"""
ORDERS_HEAD = "order_id,customer_id,channel,sku,region,ordered_at,phone\n"
# C3 and C4 share 010-7777-8888; O20..O26 only make the launch big enough for incremental drops
ORDERS = ORDERS_HEAD + "".join([
    "O1,C1,web,IP7,Seoul,2016-10-14 09:00,010-1111-2222\n",
    "O2,C2,web,IP7,Seoul,2016-10-14 09:00,010-2222-3333\n",
    "O3,C3,web,IP7,Seoul,2016-10-14 09:00,010-7777-8888\n",
    "O4,C4,web,IP7,Seoul,2016-10-14 09:00,01077778888\n",
] + [f"O{k},C{k},web,IP7,Seoul,2016-10-14 09:00,010-9000-00{k:02d}\n" for k in range(20, 27)])
HEAD = "From,To,Body,Status,SentDate,ApiVersion,NumSegments,ErrorCode,AccountSid,Sid,Direction,Price,PriceUnit\n"


def row(to, body, status, sid, minute=0, code="", direction="outbound-api"):
    return (f'+8215880010,{to},{body},{status},"Thu, 20 Oct 2016 13:{minute:02d}:00 +0000",2010-04-01,1,{code},'
            f"AC1,{sid},{direction},-0.045,USD\n")


EXPORT = HEAD + "".join([
    row("+821011112222", "[KT] 배송 지연 안내 주문 O1", "queued", "SM1"),  # 2 DELAY, O1 -> C1 by order
    row("+821022223333", "[KT] 배송 지연 주문 O9", "accepted", "SM2", 1),  # 3 O9 unknown -> C2 by the number
    row("+821011112222", "[KT] 정정 (B-DELAY) 안내 주문 O1", "scheduled", "SM3", 2),  # 4 FIX, corrects B-DELAY
    row("010-2222-3333", "ARS로 전화 주세요 주문 O2", "sending", "SM4", 3),  # 5 ARS (regex), O2 from its group
    row("01077778888", "[KT] 배송 지연", "sent", "SM5", 4),  # 6 shared number, no order: stand-in
    row("+82 10 4444 5555", "[KT] 배송 지연", "delivered", "SM6", 5),  # 7 no order has it: stand-in
    row("+821011112222", "[KT] 배송 지연 주문 O1", "read", "SM7", 6),  # 8 read -> delivered
    row("+821011112222", "[KT] 배송 지연 주문 O1", "undelivered", "SM8", 7, "30003"),  # 9 -> failed, 30003
    row("+821011112222", "[KT] 배송 지연 주문 O1", "failed", "SM9", 8, "30006"),  # 10 -> failed, 30006
    row("+821011112222", "[KT] 배송 지연 주문 O1", "canceled", "SM10", 9),  # 11 never sent: not a row
    row("+8215880010", "배송 언제 되나요?", "received", "SM11", 10, direction="inbound"),  # 12 inbound
    row("+8215880010", "감사합니다", "delivered", "SM12", 11, direction="inbound"),  # 13 inbound
    row("+821011112222", "[KT] 배송 지연 주문 O1", "bounced", "SM13", 12),  # 14 unknown status: rejected
    row("+821011112222", "안녕하세요 고객님", "delivered", "SM14", 13),  # 15 no rule: rejected
    "+8215880010,+821011112222,too few fields\n",  # 16 malformed CSV line: rejected
    row("+821011112222", "[KT] 배송 지연 주문 O1", "delivered", "SM15", 15),  # 17
])


def _rows(store, query):
    cur = store.cursor()
    try:
        return cur.execute(query).fetchall()
    finally:
        cur.close()


def standin(number: str) -> str:  # lb_phone_standin: 'unmatched-' + the first 10 hex digits of its md5
    return "unmatched-" + hashlib.md5(number.encode()).hexdigest()[:10]


@pytest.fixture
def data(tmp_path):
    return make_launch(tmp_path, {"orders/o1.csv": ORDERS, "twilio/export.csv": EXPORT}, TOML)


def test_statuses_templates_and_customers(data):
    store = open_store(data)
    try:
        got = _rows(store, "SELECT message_id, template, status, order_id, batch_id, corrects_batch_id, error_code,"
                           " customer_id, sent_at, _line FROM messages ORDER BY _line")
        at = datetime(2016, 10, 20, 13, 0, tzinfo=UTC)

        def t(m):
            return at.replace(minute=m)

        assert got == [
            ("SM1", "DELAY", "pending", "O1", "B-DELAY", None, None, "C1", t(0), 2),
            ("SM2", "DELAY", "pending", "O9", "B-DELAY", None, None, "C2", t(1), 3),
            ("SM3", "FIX", "pending", "O1", "B-FIX", "B-DELAY", None, "C1", t(2), 4),
            ("SM4", "ARS", "pending", "O2", None, None, None, "C2", t(3), 5),
            ("SM5", "DELAY", "pending", None, "B-DELAY", None, None, standin("01077778888"), t(4), 6),
            ("SM6", "DELAY", "delivered", None, "B-DELAY", None, None, standin("01044445555"), t(5), 7),
            ("SM7", "DELAY", "delivered", "O1", "B-DELAY", None, None, "C1", t(6), 8),
            ("SM8", "DELAY", "failed", "O1", "B-DELAY", None, "30003", "C1", t(7), 9),
            ("SM9", "DELAY", "failed", "O1", "B-DELAY", None, "30006", "C1", t(8), 10),
            ("SM15", "DELAY", "delivered", "O1", "B-DELAY", None, None, "C1", t(15), 17),
        ]
        rejected = _rows(store, "SELECT line, reason FROM rejected_rows ORDER BY line")
        assert rejected[:2] == [(14, "status: no mapping for 'bounced'"),
                                (15, "template: no mapping for '안녕하세요 고객님'")]
        assert rejected[2][0] == 16 and rejected[2][1].startswith("malformed CSV line")
        assert _rows(store, "SELECT column_name, value, rows FROM unmapped_values ORDER BY 1") == [
            ("status", "bounced", 1), ("template", "안녕하세요 고객님", 1)]
        assert _rows(store, "SELECT figure, n FROM source_counts ORDER BY 1") == [("canceled", 1), ("inbound", 2)]
        # 10 rows + 2 rejected records + 1 malformed line (the 3 rows that are not notifications are not rows)
        rep = report.build(store, None)
        assert rep["ingest"]["messages"] == {"files": 1, "files_rejected": 0, "rows_read": 13, "rows_accepted": 10,
                                             "rows_rejected": 3, "superseded": 0, "orphans": 1}  # O9
        assert rep["messages"]["sent"] == 10 and rep["messages"]["failed"] == 2
        assert rep["messages"]["failed_by_code"] == {"30003": 1, "30006": 1}
    finally:
        store.close()



def test_a_cp949_export_past_an_ascii_start_is_read_again_with_the_same_rows(tmp_path, monkeypatch):
    # Python checks only the first block (the ASCII header); DuckDB meets the CP949 bodies and
    # the export is staged again as CP949: the same 10 rows and 3 rejected as the UTF-8 export.
    from launchboard.readers import csv_reader
    monkeypatch.setattr(csv_reader, "_CHUNK", len(HEAD))
    data = make_launch(tmp_path, {"orders/o1.csv": ORDERS, "twilio/export.csv": EXPORT.encode("cp949")}, TOML)
    store = open_store(data)
    try:
        assert _rows(store, "SELECT encoding, status FROM files WHERE table_name = 'messages'") == [
            ("cp949", "loaded")]
        assert _rows(store, "SELECT count(*), count(*) FILTER (WHERE template = 'DELAY') FROM messages") == [(10, 8)]
        assert [r[0] for r in _rows(store, "SELECT line FROM rejected_rows ORDER BY line")] == [14, 15, 16]
        assert _rows(store, "SELECT figure, n FROM source_counts ORDER BY 1") == [("canceled", 1), ("inbound", 2)]
    finally:
        store.close()

def test_a_later_orders_drop_replaces_the_stand_in_and_the_order_wins(data):
    store = open_store(data)
    store.DELTA_SHARE = 1.0  # the drop goes through the incremental path
    try:
        (data / "orders" / "o2.csv").write_text(ORDERS_HEAD + "O5,C5,app,IP7,Busan,2016-10-19 10:00,010-4444-5555\n"
                                                "O9,C9,app,IP7,Busan,2016-10-19 11:00,010-9999-0000\n",
                                                encoding="utf-8")
        assert store.refresh() == 1
        # SM6's number now belongs to C5; SM2 names O9, whose customer wins over the number's (C2)
        assert _rows(store, "SELECT message_id, customer_id FROM messages WHERE message_id IN ('SM2', 'SM5', 'SM6')"
                            " ORDER BY 1") == [("SM2", "C9"), ("SM5", standin("01077778888")), ("SM6", "C5")]
        assert _rows(store, "SELECT message_id, customer_id FROM message_facts WHERE message_id IN ('SM2', 'SM6')"
                            " ORDER BY 1") == [("SM2", "C9"), ("SM6", "C5")]
    finally:
        store.close()


@pytest.mark.parametrize("options, message", [
    ("[[sources.options.templates]]\ntemplate = \"X\"\nprefix = \"a\"\nregex = \"b\"\n", "give one of prefix or regex"),
    ("[[sources.options.templates]]\ntemplate = \"X\"\nregex = '(?P<customer>C\\d+)'\n",
     r"named group\(s\) customer"),
    ("[[sources.options.templates]]\ntemplate = \"X\"\nregex = '(unclosed'\n", "missing \\)"),
    ("colour = \"red\"\n", "unknown option.*colour"),
])
def test_bad_rules_are_config_errors(tmp_path, options, message):
    toml = TOML.split("[sources.options]")[0] + "[sources.options]\n" + options
    with pytest.raises(ConfigError, match=message):
        open_store(make_launch(tmp_path, {}, toml))



def test_a_drop_that_resolves_a_message_naming_an_unknown_order_counts_that_orphan_once(tmp_path):
    # SM20 names O88, which no orders file carries, and 010-4444-6666, which nobody's order
    # carries yet: an orphan with a stand-in customer. The drop brings O6 with that number, so the
    # message's customer becomes C6 (the drop does not touch O88). Orphans as a full load counts
    # them: SM2's O9 and SM20's O88, each once.
    export = HEAD + row("+821022223333", "[KT] 배송 지연 주문 O9", "accepted", "SM2", 1) + row(
        "+821044446666", "[KT] 배송 지연 주문 O88", "delivered", "SM20", 2)
    data = make_launch(tmp_path, {"orders/o1.csv": ORDERS, "twilio/export.csv": export}, TOML)
    store = open_store(data)
    store.DELTA_SHARE = 1.0  # the drop goes through the incremental path
    try:
        assert report.build(store, None)["ingest"]["messages"]["orphans"] == 2
        (data / "orders" / "o2.csv").write_text(ORDERS_HEAD + "O6,C6,app,IP7,Busan,2016-10-19 10:00,010-4444-6666\n",
                                                encoding="utf-8")
        assert store.refresh() == 1
        assert _rows(store, "SELECT message_id, customer_id FROM message_facts ORDER BY 1") == [
            ("SM2", "C2"), ("SM20", "C6")]
        assert _rows(store, "SELECT table_name, order_id FROM orphan_rows ORDER BY 2") == [
            ("messages", "O88"), ("messages", "O9")]
        assert report.build(store, None)["ingest"]["messages"]["orphans"] == 2
    finally:
        store.close()
