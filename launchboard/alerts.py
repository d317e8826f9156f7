"""The alerts of spec 3b: the rules that turn each alert query's rows at T into alerts.

Each rule (``ALERT_RULES``) names its query in ``queries/`` and the function that raises its
alerts from the rows; ``alerts`` evaluates them all at T. The incident review's alert history
(``launchboard.history``) evaluates the same rules at many moments.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from . import sql
from .i18n import N_, _, num, pct, stage
from .metrics import Params, query_rows, rate

ALERT_KINDS = (
    "delivery_promise_breach", "activation_promise_breach", "activation_failure_spike",
    "call_center_overload", "quiet_hours_messages", "contradicting_messages", "retracted_batch",
    "stalled_stage", "stalled_hub", "message_call_surge",
)
# Where the dashboard explains each alert.
ALERT_PAGES = {
    "delivery_promise_breach": "pipeline", "activation_promise_breach": "activations",
    "activation_failure_spike": "activations", "call_center_overload": "calls",
    "quiet_hours_messages": "messages", "contradicting_messages": "messages",
    "retracted_batch": "messages", "stalled_stage": "pipeline", "stalled_hub": "pipeline",
    "message_call_surge": "messages",
}
SEVERITY = {
    "delivery_promise_breach": "critical", "activation_promise_breach": "critical",
    "activation_failure_spike": "critical", "call_center_overload": "critical",
    "stalled_hub": "critical", "stalled_stage": "critical",
    "quiet_hours_messages": "warning", "contradicting_messages": "warning", "retracted_batch": "warning",
    "message_call_surge": "warning",
}
# How a batch's baseline was found (queries/table_macros.sql, lb_batch_impact), in words.
BASELINE_WORDS = {"day before": N_("the day before"), "launch rate": N_("the launch's rate")}


def _alert(kind: str, message: str, since, count: int, subject: str | None = None) -> dict:
    return {
        "kind": kind, "subject": subject, "severity": SEVERITY[kind], "message": message,
        "since": since, "count": count, "page": ALERT_PAGES[kind],
    }


# How each alert query's rows at T raise alerts (spec 3b); ``since`` is the earliest moment the
# alert's evidence shows. Each takes the query's rows (a list of dicts) and the Params of T. The
# messages are in the language of the work at hand (launchboard.i18n).

def _promise_alerts(rows: list[dict], p: Params) -> list[dict]:
    prom, out = rows[0], []
    if prom["delivery_breaches"]:
        out.append(_alert("delivery_promise_breach",
                          _("{orders} orders are past their delivery promise and not delivered").format(
                              orders=num(prom["delivery_breaches"])),
                          prom["delivery_since"], prom["delivery_breaches"]))
    if prom["activation_breaches"]:
        out.append(_alert("activation_promise_breach",
                          _("{orders} orders are past their activation promise and not activated").format(
                              orders=num(prom["activation_breaches"])),
                          prom["activation_since"], prom["activation_breaches"]))
    return out


def _spike_alerts(rows: list[dict], p: Params) -> list[dict]:
    a, spike = p.config.alerts, rows[0]
    spike_rate = rate(spike["failed"], spike["finished"])
    if spike["finished"] >= a["min_attempts"] and spike_rate is not None and spike_rate > a["activation_failure_rate"]:
        return [_alert("activation_failure_spike",
                       _("{failed} of {finished} attempts failed in the last {minutes} min ({rate})").format(
                           failed=num(spike["failed"]), finished=num(spike["finished"]),
                           minutes=a["window_minutes"], rate=pct(spike_rate, 0)),
                       spike["first_failure"], spike["failed"])]
    return []


def _overload_alerts(rows: list[dict], p: Params) -> list[dict]:
    a, load = p.config.alerts, rows[0]
    loss = rate(load["lost"], load["offered"])
    if load["offered"] >= a["min_calls"] and loss is not None and loss > a["call_loss_rate"]:
        return [_alert("call_center_overload",
                       _("{lost} of {offered} calls abandoned or rejected in the last {minutes} min ({rate})").format(
                           lost=num(load["lost"]), offered=num(load["offered"]), minutes=a["window_minutes"],
                           rate=pct(loss, 0)),
                       load["first_lost"], load["lost"])]
    return []


def _message_alerts(rows: list[dict], p: Params) -> list[dict]:
    msg, out = rows[0], []
    if msg["quiet"]:
        out.append(_alert("quiet_hours_messages",
                          _("{messages} messages sent in quiet hours in the last 24 h").format(
                              messages=num(msg["quiet"])),
                          msg["quiet_since"], msg["quiet"]))
    if msg["contradicting"]:
        out.append(_alert("contradicting_messages",
                          _("{messages} messages contradicted the order's state in the last 24 h").format(
                              messages=num(msg["contradicting"])),
                          msg["contradicting_since"], msg["contradicting"]))
    if msg["corrections"]:
        out.append(_alert("retracted_batch",
                          _("batch {batch} corrected by {messages} messages in the last 24 h").format(
                              batch=msg["corrected_batches"], messages=num(msg["corrections"])),
                          msg["corrections_since"], msg["corrections"]))
    return out


def surge_raised(calls: int, baseline: float | None, ratio: float, min_calls: int) -> bool:
    """The message_call_surge rule: at least ``min_calls`` calls and more than ``ratio`` times the
    baseline (with a zero baseline, any ``min_calls`` calls; with none, never)."""
    return baseline is not None and calls >= min_calls and calls > ratio * baseline


def surge_alerts(rows: list[dict], p: Params) -> list[dict]:
    """Alert message_call_surge at T from the rows of queries/alert_message_call_surge.sql (the
    batches whose call window is open): one per batch whose recipients called more than
    ``call_surge_ratio`` times their baseline."""
    a = p.config.alerts
    out = []
    for b in rows:
        if not surge_raised(b["calls"], b["baseline"], a["call_surge_ratio"], a["min_surge_calls"]):
            continue
        how = _(BASELINE_WORDS[b["baseline_method"]])
        against = (_("{ratio}x the baseline ({baseline}, {how})").format(
                       ratio=num(b["calls"] / b["baseline"], 1), baseline=num(b["baseline"], 1), how=how)
                   if b["baseline"] else _("against a baseline of 0 ({how})").format(how=how))
        out.append(_alert("message_call_surge",
                          _("{calls} calls from the {customers} customers batch {batch} reached, within {hours} h of "
                            "their message: {against}").format(
                              calls=num(b["calls"]), customers=num(b["customers_reached"]), batch=b["batch"],
                              hours=f"{p.config.call_window_hours:g}", against=against),
                          b["first_call"], b["calls"], subject=b["batch"]))
    return out


def _stalled_stage_alerts(rows: list[dict], p: Params) -> list[dict]:
    a = p.config.alerts
    stall = timedelta(minutes=int(a["stall_minutes"]))
    return [_alert("stalled_stage",
                   _("{orders} orders in {stage}; none of the {before} there {minutes} min ago has "
                     "moved").format(orders=num(s["n_now"]), stage=stage(s["stage"]),
                                     before=num(s["n_before"]), minutes=a["stall_minutes"]),
                   p.as_of - stall, s["n_now"], subject=s["stage"])
            for s in rows if s["n_now"] >= a["stall_min_orders"] and s["n_before"] >= 1 and s["moved"] == 0]


def _stalled_hub_alerts(rows: list[dict], p: Params) -> list[dict]:
    a = p.config.alerts
    return [_alert("stalled_hub",
                   _("{orders} orders held at {hub}; none of the {before} scanned there {minutes} min ago "
                     "has moved").format(orders=num(h["n_now"]), hub=h["hub"], before=num(h["n_before"]),
                                         minutes=a["stall_minutes"]),
                   h["oldest_scan"], h["n_now"], subject=h["hub"])
            for h in rows if h["n_now"] >= a["hub_stall_min_orders"] and h["n_before"] >= 1 and h["moved"] == 0]


@dataclass(frozen=True)
class AlertRule:
    """An alert query and the alerts its rows raise.

    ``query`` (queries/<query>.sql) gives the rows at ``$as_of``; ``raise_alerts(rows, params)``
    turns them into alerts. ``history`` names the set-based form used by the incident review's
    alert history (``launchboard.history``): the same rows at each of ``$moments`` in one query,
    each with its ``moment``. A rule without one is evaluated moment by moment there, alone.
    ``possible`` names a cheap query giving the moments of ``$moments`` at which ``query`` can
    return rows: elsewhere it is not run (its rows are none). ``kinds`` are the alert kinds
    (``ALERT_KINDS``) it can raise: a page that shows some kinds runs only their rules."""
    query: str
    raise_alerts: Callable[[list[dict], Params], list[dict]]
    kinds: tuple[str, ...]
    history: str | None = None
    possible: str | None = None

    def rows(self, cur, p: Params) -> list[dict]:
        """The rows of ``query`` at ``p.as_of`` (none when ``possible`` rules them out)."""
        if self.possible is not None and not possible_moments(cur, self.possible, p, [p.as_of]):
            return []
        return query_rows(cur, self.query, p)


def possible_moments(cur, name: str, p: Params, moments: list[datetime]) -> set[datetime]:
    """The moments that queries/<name>.sql (an ``AlertRule.possible``) keeps."""
    return {m for (m,) in sql.run(cur, name, {**p.values(), "moments": moments}).fetchall()}


ALERT_RULES: tuple[AlertRule, ...] = (
    AlertRule("alert_promises", _promise_alerts, ("delivery_promise_breach", "activation_promise_breach"),
              "history_promises"),
    AlertRule("alert_activation_spike", _spike_alerts, ("activation_failure_spike",), "history_activation_spike"),
    AlertRule("alert_call_overload", _overload_alerts, ("call_center_overload",), "history_call_overload"),
    AlertRule("alert_messages", _message_alerts, ("quiet_hours_messages", "contradicting_messages", "retracted_batch"),
              "history_messages"),
    AlertRule("alert_stalled_stages", _stalled_stage_alerts, ("stalled_stage",), "history_stalled_stages"),
    AlertRule("alert_stalled_hubs", _stalled_hub_alerts, ("stalled_hub",), "history_stalled_hubs"),
    AlertRule("alert_message_call_surge", surge_alerts, ("message_call_surge",),
              possible="alert_message_call_surge_possible"),
)


def alerts(cur, p: Params, kinds: tuple[str, ...] = ALERT_KINDS) -> list[dict]:
    """Spec 3b alerts raised at T, rule by rule (``ALERT_RULES``); with ``kinds``, only the
    rules that can raise one of them run, and only alerts of those kinds are returned."""
    return [alert for rule in ALERT_RULES if set(rule.kinds) & set(kinds)
            for alert in rule.raise_alerts(rule.rows(cur, p), p) if alert["kind"] in kinds]
