"""The alert history, set-based (launchboard.history: one query per alert rule over all moments),
equals ``alerts.alerts`` evaluated at each moment on its own: on the sample launch at every replay
moment and at instants where a rule's edges fall (events, promises, windows), with and without
page filters; on a hand-written launch where an order leaves a stage and comes back; and a rule
without a set-based form is evaluated moment by moment, alone."""
from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from launchboard import alerts, history, metrics, sql
from launchboard.alerts import ALERT_RULES
from launchboard.history import alert_history, alerts_at_moments
from launchboard.metrics import Params, Scope
from launchboard.review import replay_moments

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"
SEOUL = ZoneInfo("Asia/Seoul")


@pytest.fixture(scope="module")
def sample():
    if not (SAMPLE / "orders").is_dir():
        pytest.skip("sample_data/ has not been generated")
    from launchboard.loader import open_store

    store = open_store(SAMPLE)
    yield store
    store.close()


def edge_moments(store) -> list[datetime]:
    """Instants where a rule's comparison flips: promises coming due, attempts finishing and
    calls ending (and one window later), messages of the alerts (and 24 h later), hub scans and
    stage changes (and one stall time later). A sample of each, spread over the launch."""
    a = store.config.alerts
    window, stall = f"INTERVAL {int(a['window_minutes'])} MINUTE", f"INTERVAL {int(a['stall_minutes'])} MINUTE"
    surge = f"to_seconds({store.config.call_window_hours * 3600})"
    picks = [
        "SELECT DISTINCT promised_delivery_by FROM orders UNION SELECT DISTINCT promised_activation_by FROM orders",
        f"SELECT finished_at FROM activations WHERE result = 'failed' UNION SELECT finished_at + {window} FROM activations",
        f"SELECT ended_at FROM calls WHERE outcome <> 'answered' UNION SELECT ended_at + {window} FROM calls",
        "SELECT sent_at FROM message_facts WHERE contradicting OR corrects_batch_id IS NOT NULL"
        " UNION SELECT sent_at + INTERVAL 24 HOUR FROM message_facts WHERE corrects_batch_id IS NOT NULL",
        f"SELECT last_scan.at + {stall} FROM stage_timeline WHERE last_scan.ev = 'at_hub' UNION SELECT last_scan.at"
        " FROM stage_timeline WHERE last_scan.ev = 'at_hub'",
        f"SELECT from_at + {stall} FROM stage_timeline WHERE stage IN ('packed', 'in_transit') UNION SELECT to_at"
        " FROM stage_timeline WHERE stage = 'allocated'",
        f"SELECT sent_at FROM message_facts WHERE batch_id IS NOT NULL UNION SELECT sent_at + {surge} FROM message_facts"
        " WHERE batch_id IS NOT NULL",
    ]
    cur = store.cursor()
    try:
        out: set[datetime] = set()
        for query in picks:
            found = sorted(t for (t,) in cur.execute(query).fetchall() if t is not None and t.year < 9999)
            out.update(found[:: max(1, len(found) // 12)])
    finally:
        cur.close()
    return sorted(out)


def per_moment(store, moments, scope=Scope()) -> dict[datetime, list[dict]]:
    """alerts.alerts at each moment on its own (two cursors at a time)."""
    def evaluate(chunk):
        cur = store.cursor()
        try:
            return {m: alerts.alerts(cur, Params(m, store.config, scope)) for m in chunk}
        finally:
            cur.close()

    with ThreadPoolExecutor(2) as pool:
        parts = list(pool.map(evaluate, [moments[0::2], moments[1::2]]))
    return {m: {**parts[0], **parts[1]}[m] for m in moments}


def set_based(store, moments, scope=Scope(), rules=ALERT_RULES) -> dict[datetime, list[dict]]:
    cur = store.cursor()
    try:
        return alerts_at_moments(cur, store.config, moments, scope, rules)
    finally:
        cur.close()


# No filter; a channel (the only filter that keeps a stalled hub and the call overload); and all
# four fields at once. Each raises at least the kinds listed (so the comparison is not of empty lists).
SCOPES = {
    "no filter": (Scope(), set(alerts.ALERT_KINDS)),
    "sms": (Scope(channels=("sms",)), set(alerts.ALERT_KINDS)),
    "every field": (Scope(channels=("sms", "web"), regions=("Seoul", "Busan"), skus=("IP7-128-JBK", "IP7-32-BLK"),
                          couriers=("CJ",)), set(alerts.ALERT_KINDS) - {"stalled_hub", "call_center_overload",
                                                                          "message_call_surge"}),
}


@pytest.fixture(scope="module")
def moments(sample):
    """The replay moments and the edge instants: 170 on the sample."""
    return sorted(set(replay_moments(sample)) | set(edge_moments(sample)))


@pytest.fixture(scope="module")
def reference(sample, moments):
    """alerts.alerts at each moment, per scope name (evaluated once for the module): at every
    replay moment and edge instant without filters, at every replay moment with them."""
    replay = replay_moments(sample)
    return {name: per_moment(sample, moments if not scope.active else replay, scope)
            for name, (scope, _) in SCOPES.items()}


@pytest.mark.parametrize("name", list(SCOPES))
def test_set_based_equals_each_moment_on_the_sample(sample, reference, name):
    scope, kinds = SCOPES[name]
    want = reference[name]
    assert set_based(sample, list(want), scope) == want
    assert {a["kind"] for alerts in want.values() for a in alerts} >= kinds


def test_the_history_lists_what_each_moment_raised(sample, moments, reference):
    want = [{"at": m, "kind": a["kind"], "subject": a["subject"], "severity": a["severity"], "count": a["count"]}
            for m, alerts in reference["no filter"].items() for a in alerts]
    order = {m: i for i, m in enumerate(moments)}
    want.sort(key=lambda r: (order[r["at"]], r["kind"], r["subject"] or ""))
    assert alert_history(sample, moments) == want
    assert alert_history(sample, moments, workers=2) == want  # the rules split between two cursors


def test_moments_in_several_chunks(sample, moments, reference, monkeypatch):
    # a query takes at most history.CHUNK moments (4 bounds each, 511 at most): 170 moments in
    # chunks of 50 give the same alerts
    monkeypatch.setattr(history, "CHUNK", 50)
    assert set_based(sample, moments) == reference["no filter"]


def test_a_rule_without_set_based_form_is_evaluated_moment_by_moment_alone(sample, moments, reference, monkeypatch):
    rules = [r if r.query != "alert_call_overload" else dataclasses.replace(r, history=None) for r in ALERT_RULES]
    ran: list[str] = []
    original = sql.run

    def counting(cur, name, values=None):
        ran.append(name)
        return original(cur, name, values)

    monkeypatch.setattr(sql, "run", counting)
    got = set_based(sample, moments, rules=rules)
    monkeypatch.undo()
    assert got == reference["no filter"]
    assert ran.count("alert_call_overload") == len(moments)  # the fallback, once per moment
    assert "history_call_overload" not in ran
    assert all(ran.count(r.history) == 2 for r in rules if r.history)  # the others: one query per chunk of 120
    # alert_call_overload and any rule without a form yet (and its possible query)
    by_moment = {r.query for r in rules if r.history is None} | {r.possible for r in rules if r.possible}
    assert not any(name.startswith("alert_") and name not in by_moment for name in ran)


def test_a_rule_is_not_run_where_its_possible_query_rules_it_out(sample, moments):
    """alert_message_call_surge reads every batch; it runs only at the moments where a batch's
    call window can be open (alert_message_call_surge_possible). At every other moment of the
    sample (replay moments and edges, batch sends and their window ends included) the query
    itself returns no row."""
    rule = next(r for r in ALERT_RULES if r.query == "alert_message_call_surge")
    cur = sample.cursor()
    try:
        p = Params(moments[0], sample.config)
        kept = alerts.possible_moments(cur, rule.possible, p, moments)
        assert 0 < len(kept) < len(moments) / 2
        for m in moments:
            rows = metrics.query_rows(cur, rule.query, Params(m, sample.config))
            assert m in kept or rows == []
            assert rule.rows(cur, Params(m, sample.config)) == rows
        assert any(metrics.query_rows(cur, rule.query, Params(m, sample.config)) for m in kept)
    finally:
        cur.close()


# -- leaving a stage and coming back -----------------------------------------------------------
#
# stall_minutes = 60, one order is enough to raise (stall_min_orders = 1). Asia/Seoul.
#   O1: ordered 10:00, allocated 10:05, packed 10:10, picked up 10:20 (in_transit); attempt A1
#       requested 11:00, still pending when it "finished" at 11:30 (result pending): so O1 is
#       activation_pending in [11:00, 11:30) and in_transit again from 11:30; delivered 14:00.
#   O2: the same without the attempt: in_transit from 10:20 to 14:00.
# At T = 11:50 (S = 10:50) both are in_transit at S and at T: none has moved (O1 left and came
# back, which the rule counts as not moved), so stalled_stage in_transit is raised with 2.
# At T = 11:20 (S = 10:20) O1 is activation_pending at T: in_transit has 1 order now, 2 an hour
# ago, 1 of them moved: not raised. At T = 12:10 (S = 11:10): O1 was activation_pending at S,
# so in_transit counts 1 then (O2, not moved) and 2 now: raised with 2.
REVISIT = {
    "launch.toml": "[launch]\ntimezone = \"Asia/Seoul\"\n[alerts]\nstall_minutes = 60\nstall_min_orders = 1\n",
    "orders/o.csv": "order_id,customer_id,channel,sku,region,ordered_at,allocated_at\n"
                    "O1,C1,web,IP7,Seoul,2016-10-21 10:00,2016-10-21 10:05\n"
                    "O2,C2,web,IP7,Seoul,2016-10-21 10:00,2016-10-21 10:05\n",
    "shipments/s.csv": "event_id,order_id,courier,event,event_at,hub\n"
                       "P1,O1,CJ,packed,2016-10-21 10:10,\nU1,O1,CJ,picked_up,2016-10-21 10:20,\n"
                       "D1,O1,CJ,delivered,2016-10-21 14:00,\n"
                       "P2,O2,CJ,packed,2016-10-21 10:10,\nU2,O2,CJ,picked_up,2016-10-21 10:20,\n"
                       "D2,O2,CJ,delivered,2016-10-21 14:00,\n",
    "activations/a.csv": "attempt_id,order_id,requested_via,requested_at,result,finished_at,error_code\n"
                         "A1,O1,auto,2016-10-21 11:00,pending,2016-10-21 11:30,\n",
}



def test_stage_spans_keep_one_span_per_stay_and_each_row_of_a_stage_left_and_re_entered(open_launch, sql_rows):
    """stage_spans (decided at load for the stalled-stage history): O2 passes each watched stage
    once, one span each; O1 left in_transit for activation_pending and came back, so its two
    in_transit rows are kept apart (not contiguous). Reserved (10:00-10:05) is not watched."""
    store = open_launch({k: v for k, v in REVISIT.items() if k != "launch.toml"}, toml=REVISIT["launch.toml"])
    at = lambda h, m: datetime(2016, 10, 21, h, m, tzinfo=SEOUL)  # noqa: E731
    rows = sql_rows(store, "SELECT order_id, stage, f, t, contiguous FROM stage_spans ORDER BY order_id, f")
    assert rows == [
        ("O1", "allocated", at(10, 5), at(10, 10), True),
        ("O1", "packed", at(10, 10), at(10, 20), True),
        ("O1", "in_transit", at(10, 20), at(11, 0), False),
        ("O1", "activation_pending", at(11, 0), at(11, 30), True),
        ("O1", "in_transit", at(11, 30), at(14, 0), False),
        ("O2", "allocated", at(10, 5), at(10, 10), True),
        ("O2", "packed", at(10, 10), at(10, 20), True),
        ("O2", "in_transit", at(10, 20), at(14, 0), True),
    ]

def test_an_order_that_leaves_a_stage_and_comes_back(open_launch):
    store = open_launch({k: v for k, v in REVISIT.items() if k != "launch.toml"}, toml=REVISIT["launch.toml"])
    at = lambda h, m: datetime(2016, 10, 21, h, m, tzinfo=SEOUL)  # noqa: E731
    moments = [at(10, 0) + timedelta(minutes=5 * i) for i in range(61)]  # 10:00 .. 15:00
    got = set_based(store, moments)
    assert got == per_moment(store, moments)
    stalled = {m: [(a["subject"], a["count"], a["message"]) for a in got[m] if a["kind"] == "stalled_stage"]
               for m in (at(11, 20), at(11, 50), at(12, 10))}
    assert stalled == {
        at(11, 20): [],
        at(11, 50): [("in_transit", 2, "2 orders in in_transit; none of the 2 there 60 min ago has moved")],
        at(12, 10): [("in_transit", 2, "2 orders in in_transit; none of the 1 there 60 min ago has moved")],
    }
