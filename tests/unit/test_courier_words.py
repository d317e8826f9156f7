"""The built-in courier vocabulary: Korean courier statuses and tracker.delivery's words become
the contract's shipment events for every source feeding shipments; the source's own map wins;
the README documents every word."""
from __future__ import annotations

from pathlib import Path

from launchboard.courier_words import COURIER_EVENTS, courier_map
from launchboard.schema import SHIPMENT_EVENTS

TOML = """\
[[sources]]
name = "tracker"
table = "shipments"
files = "*.csv"
format = "csv"
[sources.constants]
courier = "CJ"
{own}
"""
# (word as the courier prints it, the event it must become); hand-picked from COURIER_EVENTS,
# in the spellings trackers print (tracker.delivery's upper-case codes, 롯데's spaced words).
EXPECTED = [
    ("INFORMATION_RECEIVED", "packed"), ("상품준비중", "packed"), ("집하예정", "packed"),
    ("AT_PICKUP", "picked_up"), ("집화처리", "picked_up"), ("집하완료", "picked_up"), ("접수", "picked_up"),
    ("IN_TRANSIT", "at_hub"), ("간선상차", "at_hub"), ("간선하차", "at_hub"), ("터미널입고", "at_hub"),
    ("OUT_FOR_DELIVERY", "out_for_delivery"), ("AVAILABLE_FOR_PICKUP", "out_for_delivery"),
    ("배송출발", "out_for_delivery"), ("배달 출발", "out_for_delivery"), ("배달준비", "out_for_delivery"),
    ("ATTEMPT_FAIL", "failed_attempt"), ("EXCEPTION", "failed_attempt"), ("미배달", "failed_attempt"),
    ("배달실패", "failed_attempt"), ("DELIVERED", "delivered"), ("배송완료", "delivered"), ("배달 완료", "delivered"),
    ("반송", "returned"), ("반품회수", "returned"), ("at_hub", "at_hub"),
]


def test_courier_words_become_contract_events(open_launch, sql_rows):
    rows = [f"E{i},O1,{word},2016-10-20 {10 + i // 60:02d}:{i % 60:02d}" for i, (word, _) in enumerate(EXPECTED)]
    rows.append("U1,O1,UNKNOWN,2016-10-21 10:00")  # tracker.delivery's UNKNOWN is deliberately not mapped
    store = open_launch({"shipments/t.csv": "event_id,order_id,event,event_at\n" + "\n".join(rows) + "\n"},
                        TOML.format(own=""))
    got = dict(sql_rows(store, "SELECT event_id, event FROM shipments"))
    assert got == {f"E{i}": event for i, (_, event) in enumerate(EXPECTED)}
    assert sql_rows(store, "SELECT reason FROM rejected_rows") == [("event: no mapping for 'UNKNOWN'",)]


def test_the_sources_own_map_wins_over_the_built_in_words(open_launch, sql_rows):
    own = '[sources.values.event]\n"간선상차" = "picked_up"\n"unknown" = "at_hub"\n'
    text = "event_id,order_id,event,event_at\nE1,O1,간선상차,2016-10-20 10:00\nE2,O1,unknown,2016-10-20 11:00\n" \
           "E3,O1,간선하차,2016-10-20 12:00\n"
    store = open_launch({"shipments/t.csv": text}, TOML.format(own=own))
    assert sql_rows(store, "SELECT event_id, event FROM shipments ORDER BY 1") == [
        ("E1", "picked_up"), ("E2", "at_hub"), ("E3", "at_hub")]


def test_a_file_no_source_reads_gets_no_courier_words(open_launch, sql_rows):
    store = open_launch({"shipments/t.csv": "event_id,order_id,courier,event,event_at\nE1,O1,CJ,배송완료,2016-10-20 10:00\n"})
    assert sql_rows(store, "SELECT reason FROM rejected_rows") == [("event has unknown value: 배송완료",)]


def test_every_word_is_a_contract_event_once_and_the_readme_lists_it():
    words = [w for ws in COURIER_EVENTS.values() for w in ws]
    assert len(words) == len(set(words)) == len(courier_map())
    assert set(COURIER_EVENTS) == set(SHIPMENT_EVENTS)
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    table = readme.split("#### Courier words", 1)[1].split("\n\n#", 1)[0]
    for event, listed in COURIER_EVENTS.items():
        row = next(line for line in table.splitlines() if line.startswith(f"| `{event}` |"))
        assert all(f"{w}" in row for w in listed), (event, [w for w in listed if w not in row])
