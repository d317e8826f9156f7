"""The bundled sample launch through the report: it reconciles, and the seed's incidents
show up as alerts at the moments the generator documents (launchboard.generate.STORY)."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from launchboard import report, review
from launchboard.generate import STORY
from launchboard.loader import open_store
from launchboard.schema import STAGES

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"


@pytest.fixture(scope="module")
def store():
    s = open_store(SAMPLE)
    yield s
    s.close()


def at(store, moment: str) -> dict:
    return report.build(store, datetime.fromisoformat(STORY[moment]))


def kinds(rep: dict) -> set[tuple[str, str | None]]:
    return {(a["kind"], a["subject"]) for a in rep["alerts"]}


def test_cli_report_reconciles_and_stages_sum_to_total():
    out = subprocess.run([sys.executable, "-m", "launchboard", "report", "--data", str(SAMPLE)],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    rep = json.loads(out.stdout)
    assert rep["as_of"] == "2016-10-22T17:59:47+09:00"
    # The generator plants exactly these bad rows and orphans (see its docstring).
    assert {t: v["rows_rejected"] for t, v in rep["ingest"].items()} == {
        "orders": 3, "shipments": 3, "activations": 4, "messages": 2, "calls": 4}
    assert {t: v["orphans"] for t, v in rep["ingest"].items()} == {
        "orders": 0, "shipments": 4, "activations": 2, "messages": 3, "calls": 0}
    for table, v in rep["ingest"].items():
        assert v["rows_read"] == v["rows_accepted"] + v["rows_rejected"], table
        assert v["files_rejected"] == 0, table
    # The .part file is not counted; the Parquet drop and the CP949 file are.
    assert rep["ingest"]["shipments"]["files"] == len([p for p in (SAMPLE / "shipments").iterdir()
                                                      if not p.name.endswith(".part")])
    assert sum(rep["orders"]["by_stage"][s] for s in STAGES) == rep["orders"]["total"] == 4400


def test_accepted_rows_are_distinct_keys_plus_superseded(store):
    rep = report.build(store)
    cur = store.cursor()
    for table, key in (("orders", "order_id"), ("shipments", "event_id"), ("activations", "attempt_id"),
                       ("messages", "message_id"), ("calls", "call_id")):
        keys = cur.execute("SELECT count(DISTINCT " + key + ") FROM " + table).fetchone()[0]
        v = rep["ingest"][table]
        assert v["rows_accepted"] == keys + v["superseded"], table
        # the loader's own count, shown by the quality page, is the distinct keys of every version
        counted = cur.execute("SELECT distinct_keys FROM key_counts WHERE table_name = ?", [table]).fetchone()[0]
        assert counted == keys == cur.execute("SELECT count(DISTINCT " + key + ") FROM acc_" + table).fetchone()[0]


def test_quiet_before_the_incidents(store):
    assert kinds(at(store, "calm_check")) == set()
    assert kinds(at(store, "calm_check_2")) == set()


def test_daejeon_hub_stall_while_the_post_office_pickup_never_comes(store):
    assert kinds(at(store, "hub_stall_check")) == {("stalled_hub", "Daejeon HUB")}
    assert ("stalled_hub", "Daejeon HUB") not in kinds(at(store, "hub_stall_end"))


def test_launch_eve_breach_and_packed_stall_while_the_call_centre_copes(store):
    assert kinds(at(store, "packed_stall_check")) == {("delivery_promise_breach", None), ("stalled_stage", "packed")}


def test_the_two_call_surges_follow_the_delay_sms_and_the_ars_instructions(store):
    # Thu 23:00, an hour into the first surge: the centre is overloaded and B-DELAY-1020's
    # recipients call at far more than 3x their calls the night before
    rep = at(store, "call_overload_check_1")
    assert kinds(rep) == {("call_center_overload", None), ("message_call_surge", "B-DELAY-1020"),
                          ("delivery_promise_breach", None), ("stalled_stage", "packed"),
                          ("quiet_hours_messages", None), ("contradicting_messages", None)}
    surge = next(a for a in rep["alerts"] if a["kind"] == "message_call_surge")
    assert (surge["count"], surge["since"], surge["page"]) == (219, "2016-10-20T22:01:48+09:00", "messages")
    # Fri 08:30: the second surge, B-ARS-1021's (B-DELAY-1020's window closed at 00:15)
    rep = at(store, "call_overload_check_2")
    assert {k for k in kinds(rep) if k[0] in ("call_center_overload", "message_call_surge")} == {
        ("call_center_overload", None), ("message_call_surge", "B-ARS-1021")}
    # before the first and between the two, no surge
    for moment in ("delay_batch", "call_surge_1_end", "call_surge_2_start", "activation_spike_check"):
        assert not {k for k in kinds(at(store, moment)) if k[0] in ("call_center_overload", "message_call_surge")}


def test_delay_and_ars_batches_are_the_top_causes_each_at_its_surge(store):
    rep = report.build(store)
    impact = rep["messages"]["call_impact"]
    top = [(b["batch_id"], b["calls"], b["baseline"], b["excess"], b["baseline_method"]) for b in impact[:2]]
    assert top == [("B-ARS-1021", 353, 7.0, 346.0, "day before"), ("B-DELAY-1020", 257, 2.0, 255.0, "day before")]
    assert all(b["excess"] < 10 for b in impact[2:])
    # each batch's traced calls arrive inside the surge it caused, and are most of its calls
    cur = store.cursor()
    try:
        spans = dict(((b, (lo, hi)) for b, lo, hi in cur.execute(
            "SELECT batch, min(arrived_at), max(arrived_at) FROM lb_batch_calls($t, 2, false, [], [], [], []) GROUP BY 1",
            {"t": datetime.fromisoformat(STORY["cutoff"])}).fetchall()))
    finally:
        cur.close()
    for batch, surge in (("B-DELAY-1020", 1), ("B-ARS-1021", 2)):
        start, end = (datetime.fromisoformat(STORY[f"call_surge_{surge}_{k}"]) for k in ("start", "end"))
        assert start < spans[batch][0] and spans[batch][1] < end, batch
    by_batch = {b["batch_id"]: b for b in impact}
    assert by_batch["B-DELAY-1020"]["load_share"] > 0.9 and by_batch["B-ARS-1021"]["load_share"] > 0.85
    assert list(by_batch["B-DELAY-1020"]["reasons"])[0] == "delivery"
    assert list(by_batch["B-ARS-1021"]["reasons"])[0] == "activation"


def test_friday_activation_spike_and_contradicting_sms(store):
    rep = at(store, "activation_spike_check")
    assert kinds(rep) == {("delivery_promise_breach", None), ("activation_failure_spike", None),
                          ("quiet_hours_messages", None), ("contradicting_messages", None)}
    spike = next(a for a in rep["alerts"] if a["kind"] == "activation_failure_spike")
    assert spike["severity"] == "critical"


def test_friday_22_promise_missed_and_delay_batch_retracted(store):
    rep = report.build(store)
    assert ("activation_promise_breach", None) in kinds(rep)
    assert ("retracted_batch", None) in kinds(rep)
    batch = rep["messages"]["retracted_batches"]
    assert [(b["batch_id"], b["sent_at"], b["corrected_at"], b["hours_to_correction"]) for b in batch] == [
        ("B-DELAY-1020", "2016-10-20T22:00:00+09:00", "2016-10-21T22:00:00+09:00", 24.0)]
    assert rep["orders"]["missed_activation_promise"] == 820


def test_the_incident_review_history_holds_both_surges(store):
    start = datetime.fromisoformat("2016-10-20T21:00:00+09:00")
    moments = [start + timedelta(hours=h) for h in range(15)]  # Thu 21:00 .. Fri 11:00
    periods = review.alert_periods(review.alert_history(store, moments), moments)
    surges = [(p.subject, p.raised_at.hour, p.cleared_at.hour, p.peak) for p in periods if p.kind == "message_call_surge"]
    # B-DELAY-1020: raised at 23:00 (none of its calls had ended by 22:00) and 00:00, cleared at
    # 01:00 (its window closed at 00:15); B-ARS-1021: 08:00 and 09:00, cleared at 10:00
    assert surges == [("B-DELAY-1020", 23, 1, 257), ("B-ARS-1021", 8, 10, 342)]


def test_headline_is_the_reports_own_figures(store):
    """The KPI tiles' hour-earlier figures (report.headline) are build()'s, without the rest:
    at 10-21 14:00 on the sample launch, orders, activations, calls and the message counts."""
    moment = datetime.fromisoformat("2016-10-21T14:00:00+09:00")
    whole, head = report.build(store, moment), report.headline(store, moment)
    assert set(head) == {"orders", "activations", "messages", "calls"}
    assert head["orders"] == whole["orders"] and head["activations"] == whole["activations"]
    assert head["calls"] == whole["calls"]
    assert head["messages"] == {"sent": whole["messages"]["sent"], "failed": whole["messages"]["failed"]}
    assert head["orders"]["total"] > 0 and head["messages"]["sent"] > 0


def test_a_pages_sections_are_the_whole_reports_and_run_only_their_queries(store, monkeypatch):
    """report.build(sections=..., alert_kinds=...): what a page shows, each figure as the whole
    report has it, without the queries of the rest. At Thu 23:00 (call_overload_check_1) six
    kinds of alerts are raised; the Pipeline page asks for the orders and the stalled hubs."""
    from launchboard import sql

    moment = datetime.fromisoformat(STORY["call_overload_check_1"])
    whole = report.build(store, moment, impact=False)
    ran: list[str] = []
    original = sql.run
    monkeypatch.setattr(sql, "run", lambda cur, name, values=None: ran.append(name) or original(cur, name, values))
    part = report.build(store, moment, impact=False, sections=("orders", "alerts"),
                        alert_kinds=("stalled_stage", "message_call_surge"))
    assert set(part) == {"launch", "as_of", "orders", "alerts"}
    assert part["orders"] == whole["orders"]
    assert [(a["kind"], a["subject"]) for a in part["alerts"]] == [("stalled_stage", "packed"),
                                                                   ("message_call_surge", "B-DELAY-1020")]
    assert part["alerts"] == [a for a in whole["alerts"] if a["kind"] in ("stalled_stage", "message_call_surge")]
    assert ran == ["orders_summary", "alert_stalled_stages", "alert_message_call_surge_possible",
                   "alert_message_call_surge"]
    ran.clear()
    calls = report.build(store, moment, sections=("calls",))
    assert (set(calls), calls["calls"], ran) == ({"launch", "as_of", "calls"}, whole["calls"], ["calls_summary"])
    with pytest.raises(ValueError, match="unknown report section"):
        report.build(store, moment, sections=("order",))


def test_each_alert_kind_has_one_rule_which_raises_only_its_kinds(store):
    """alerts.ALERT_RULES: every kind is some rule's, and on the sample launch, at every moment
    the story checks, each rule raises only the kinds it declares (so asking for a kind runs
    the rule that can raise it)."""
    from launchboard import alerts
    from launchboard.metrics import Params, Scope

    declared = [k for rule in alerts.ALERT_RULES for k in rule.kinds]
    assert sorted(declared) == sorted(alerts.ALERT_KINDS)
    cur = store.cursor()
    raised: set[str] = set()
    try:
        for name in ("call_overload_check_1", "activation_spike_check", "hub_stall_check", "cutoff"):
            p = Params(datetime.fromisoformat(STORY[name]), store.config, Scope())
            for rule in alerts.ALERT_RULES:
                kinds_ = {a["kind"] for a in rule.raise_alerts(rule.rows(cur, p), p)}
                assert kinds_ <= set(rule.kinds), rule.query
                raised |= kinds_
    finally:
        cur.close()
    assert raised == set(alerts.ALERT_KINDS)  # every rule was checked raising something
