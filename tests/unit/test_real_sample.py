"""The real-shaped sample (sample_data_real/: an orders workbook per drop, CP949 courier exports
with Korean statuses, a Twilio export, a rotated Asterisk queue_log) is the same launch as the
contract-shaped sample (sample_data/): the report on both is equal figure by figure, every
section, at the default moment and at the story's moments; the current tables hold the same
rows (but for ids the real systems give: Twilio's Sid, Asterisk's uniqueid); and the ingest
figures differ exactly where the shapes differ (README, "The real-shaped sample").
"""
from __future__ import annotations

from pathlib import Path

import pytest

from launchboard import report
from launchboard.generate import STORY
from launchboard.loader import open_store
from launchboard.timeutil import parse_moment

ROOT = Path(__file__).resolve().parents[2]
MOMENTS = [None, "calm_check", "call_overload_check_1", "activation_spike_check", "retraction"]


@pytest.fixture(scope="module")
def stores():
    if not (ROOT / "sample_data_real").is_dir():
        pytest.skip("sample_data_real/ has not been generated (make sample)")
    both = {name: open_store(ROOT / name) for name in ("sample_data", "sample_data_real")}
    yield both
    for store in both.values():
        store.close()


def _report(store, moment):
    return report.build(store, parse_moment(STORY[moment], store.config.tz) if moment else None)


def _rows(store, query):
    cur = store.cursor()
    try:
        return sorted(cur.execute(query).fetchall(), key=repr)
    finally:
        cur.close()


@pytest.mark.parametrize("moment", MOMENTS)
def test_every_figure_but_ingest_is_equal(stores, moment):
    contract, real = (_report(stores[n], moment) for n in ("sample_data", "sample_data_real"))
    assert set(real) == set(contract)
    for section in contract:
        if section not in ("ingest", "sources"):  # what was read, not the launch (see below)
            assert real[section] == contract[section], section
    assert contract["calls"]["offered"] > 0 or moment == "calm_check"


def test_the_current_tables_hold_the_same_rows(stores):
    queries = {
        "orders": "SELECT order_id, customer_id, channel, sku, region, ordered_at, model, phone, priority,"
                  " allocated_at, cancelled_at, promised_delivery_by, promised_activation_by, updated_at FROM orders",
        "shipments": "SELECT event_id, order_id, courier, event, event_at, hub, tracking_no FROM shipments",
        "activations": "SELECT * EXCLUDE (_file, _line) FROM activations",
        # ids differ (Sid, uniqueid), and a queue_log call's updated_at is its wrap-up's time
        "messages": "SELECT customer_id, template, sent_at, status, order_id, batch_id, corrects_batch_id, error_code"
                    " FROM messages",
        "calls": "SELECT queue, arrived_at, ended_at, outcome, customer_id, answered_at, agent_id, reason, resolution"
                 " FROM calls",
    }
    for table, query in queries.items():
        contract, real = (_rows(stores[n], query) for n in ("sample_data", "sample_data_real"))
        if table == "messages":  # the orphan messages: their customer has no order, so no number
            contract, real = _stand_ins(contract, real)
        assert len(real) == len(contract) and real == contract, table


def _stand_ins(contract: list[tuple], real: list[tuple]) -> tuple[list[tuple], list[tuple]]:
    """The contract sample's 3 orphan messages name customers no order carries; in the Twilio
    export they go to numbers no order carries, so their customer is the number's stand-in.
    Compare them without the customer id, and the rest as they are."""
    known = {r[0] for r in real if not r[0].startswith("unmatched-")}
    orphans_c = [r[1:] for r in contract if r[0] not in known]
    orphans_r = [r[1:] for r in real if r[0].startswith("unmatched-")]
    assert len(orphans_r) == 3 and sorted(orphans_c, key=repr) == sorted(orphans_r, key=repr)
    return [r for r in contract if r[0] in known], [r for r in real if r[0] in known]


def test_ingest_differs_exactly_where_the_shapes_do(stores):
    contract, real = (report.build(stores[n], None)["ingest"] for n in ("sample_data", "sample_data_real"))
    # orders (one workbook per drop for one CSV per drop), activations (the same files) and
    # messages (inbound and cancelled messages are not rows) count the same
    for table in ("orders", "activations", "messages"):
        assert real[table] == contract[table], table
    # shipments: one CP949 export per courier and drop (36) for a CSV and a Hanjin CSV per drop
    # and one Parquet drop (23); the rows are the same
    assert contract["shipments"]["files"] == 23 and real["shipments"]["files"] == 36
    assert {k: v for k, v in real["shipments"].items() if k != "files"} == \
           {k: v for k, v in contract["shipments"].items() if k != "files"}
    # calls: the same calls (distinct keys); the contract sample re-sends 3 rows and has 4 bad
    # rows, the queue_log has 2 bad lines and versions made by wrap-ups that came in a later file
    c, r = contract["calls"], real["calls"]
    assert r["rows_accepted"] - r["superseded"] == c["rows_accepted"] - c["superseded"]
    assert (c["superseded"], c["rows_rejected"], r["rows_rejected"]) == (3, 4, 2)
    cur = stores["sample_data_real"].cursor()
    (versions,) = cur.execute("SELECT sum(n) FROM source_counts WHERE figure = 'wrapup_versions'").fetchone()
    assert r["superseded"] == versions
    assert r["rows_read"] == r["rows_accepted"] + r["rows_rejected"]
    assert (r["files"], r["files_rejected"], r["orphans"]) == (c["files"], 0, 0)
    # what is not a row is counted per source: open calls left at the end, other events
    figures = dict(cur.execute("SELECT figure, sum(n) FROM source_counts WHERE file = (SELECT max(file) FROM"
                               " source_counts WHERE figure = 'open_calls') GROUP BY figure").fetchall())
    assert figures["open_calls"] == 3  # callers still waiting when the extract ends
    cur.close()


def test_the_sources_section_describes_what_was_read(stores):
    contract, real = (report.build(stores[n], None) for n in ("sample_data", "sample_data_real"))
    assert contract["sources"] == []  # the contract sample has no [[sources]]
    by_name = {s["source"]: s for s in real["sources"]}
    assert sorted(by_name) == sorted(["shop orders (Excel)", "CJ대한통운", "한진택배", "우체국택배",
                                      "SMS gateway (Twilio)", "contact centre (Asterisk)"])
    for s in real["sources"]:
        assert s["rows_read"] == s["rows_accepted"] + s["rows_rejected"], s["source"]
    # the contract sample's bad rows, re-shaped: an unmapped word in each Korean source
    assert by_name["shop orders (Excel)"]["unmapped"] == [{"column": "priority", "value": "모름", "rows": 1}]
    assert by_name["CJ대한통운"]["unmapped"] == [{"column": "event", "value": "분실신고", "rows": 1}]
    sms, pbx = by_name["SMS gateway (Twilio)"], by_name["contact centre (Asterisk)"]
    assert sms["not_rows"] == {"inbound": 4, "canceled": 1}
    # every current message's customer: the order named in its text, but for the 3 orphan messages
    assert sms["customers"] == {"customer of the order in the text": 31041, "number on no order (stand-in customer)": 3}
    # every call: found by the number (the contract sample's known callers), or no customer
    known = report.build(stores["sample_data"], None)
    cur = stores["sample_data"].cursor()
    (with_customer,) = cur.execute("SELECT count(*) FROM calls WHERE customer_id IS NOT NULL").fetchone()
    (calls,) = cur.execute("SELECT count(*) FROM calls").fetchone()
    cur.close()
    assert pbx["customers"]["customer found by the number"] == with_customer
    assert sum(pbx["customers"].values()) == calls
    assert pbx["not_rows"]["open_calls"] == 3 and pbx["not_rows"]["wrapups_waiting"] == 0
    assert pbx["not_rows"]["event:RINGNOANSWER"] > 0 and known["calls"]["offered"] == calls
