"""Every figure of spec section 3b, as of a moment T, within optional filters.

Each figure is defined once in ``queries/``; this module binds the values, turns counts
into rates (``None`` on a zero denominator) and assembles the report of spec section 5.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from . import sql
from .config import LaunchConfig
from .i18n import N_, _, num, pct, stage
from .schema import STAGES

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
NO_CODE = "(none)"
# How a batch's baseline was found (queries/table_macros.sql, lb_batch_impact), in words.
BASELINE_WORDS = {"day before": N_("the day before"), "launch rate": N_("the launch's rate")}


@dataclass(frozen=True)
class Scope:
    """Page filters: an empty tuple means no filter on that field."""
    channels: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    skus: tuple[str, ...] = ()
    couriers: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return bool(self.channels or self.regions or self.skus or self.couriers)


@dataclass(frozen=True)
class Params:
    """Everything a query may bind; ``sql.bind`` passes each query the subset it uses."""
    as_of: datetime
    config: LaunchConfig
    scope: Scope = field(default_factory=Scope)

    def values(self) -> dict:
        a = self.config.alerts
        return {
            "as_of": self.as_of,
            "channels": list(self.scope.channels), "regions": list(self.scope.regions),
            "skus": list(self.scope.skus), "couriers": list(self.scope.couriers),
            "quiet_start": self.config.quiet_start, "quiet_end": self.config.quiet_end,
            "conflict_window_hours": self.config.conflict_window_hours,
            "call_window_hours": self.config.call_window_hours,
            "service_level_seconds": self.config.service_level_seconds,
            "window_minutes": int(a["window_minutes"]), "stall_minutes": int(a["stall_minutes"]),
        }

    def shifted(self, delta: timedelta) -> "Params":
        return Params(self.as_of + delta, self.config, self.scope)


def rate(numerator: float, denominator: float) -> float | None:
    """A fraction in [0, 1], or None when the denominator is zero (spec 5)."""
    return None if not denominator else numerator / denominator


def query_row(cur, name: str, p: Params) -> dict:
    res = sql.run(cur, name, p.values())
    cols = [d[0] for d in res.description]
    return dict(zip(cols, res.fetchone()))


def query_rows(cur, name: str, p: Params) -> list[dict]:
    res = sql.run(cur, name, p.values())
    cols = [d[0] for d in res.description]
    return [dict(zip(cols, row)) for row in res.fetchall()]


def default_as_of(cur) -> datetime | None:
    """Spec 3b live T: the newest event time in the data, None when there is none."""
    return sql.run(cur, "default_as_of").fetchone()[0]


def ingest(cur) -> dict[str, dict]:
    """Spec 3 reconciliation per table (not as of T: it describes the files loaded)."""
    res = sql.run(cur, "ingest_summary")
    cols = [d[0] for d in res.description]
    out = {}
    for row in res.fetchall():
        rec = dict(zip(cols, row))
        out[rec.pop("table_name")] = rec
    return out


def sources(cur) -> list[dict]:
    """Per launch.toml source (not as of T): files, rows read/accepted/rejected, and the values
    its maps did not know ({column, value, rows}, most rows first). Empty without sources."""
    if not sql.run(cur, "sources_any").fetchone()[0]:
        return []
    res = sql.run(cur, "quality_sources")
    cols = [d[0] for d in res.description]
    out = [dict(zip(cols, row)) for row in res.fetchall()]
    unmapped: dict[str, list[dict]] = {}
    for source, _, column, value, rows, _ in sql.run(cur, "quality_unmapped").fetchall():
        unmapped.setdefault(source, []).append({"column": column, "value": value, "rows": rows})
    notes = source_notes(cur)
    for rec in out:
        rec.pop("values_unmapped")
        rec["unmapped"] = unmapped.get(rec["source"], [])
        rec.update(notes.get(rec["source"], {}))
    return out


# What a source's figures that are not rows mean (queries/quality_source_counts.sql; the
# Data quality page and the Markdown report label them with these words).
NOT_ROWS = {
    "lines": N_("lines read"), "blank_lines": N_("blank lines"), "call_lines": N_("lines of calls"),
    "open_calls": N_("calls still open (waiting for their end)"),
    "wrapups_waiting": N_("wrap-ups waiting for their call"),
    "wrapup_versions": N_("wrap-ups in a later file (a new version of the call)"),
    "start_missing": N_("calls without their ENTERQUEUE (arrival from the event data)"),
    "connect_missing": N_("answered calls without CONNECT (answer from the talk time)"),
    "times_disagree": N_("waits or talk times in the data that disagree with the lines' times (the times are used)"),
    "restarted_open": N_("open calls replaced by a new ENTERQUEUE of the same channel"),
    "inbound": N_("inbound messages (not notifications)"),
    "canceled": N_("messages cancelled before they were sent (not notifications)"),
}


# How a log source's rows found their customer (queries/quality_caller_matches.sql and
# quality_recipient_matches.sql: the report's keys), translated where shown.
CUSTOMER_MATCHES = {
    "no number (withheld or anonymous)": N_("no number (withheld or anonymous)"),
    "customer found by the number": N_("customer found by the number"),
    "number on several customers' orders (unknown caller)": N_("number on several customers' orders (unknown caller)"),
    "number on no order (unknown caller)": N_("number on no order (unknown caller)"),
    "customer of the order in the text": N_("customer of the order in the text"),
    "number on several customers' orders (stand-in customer)":
        N_("number on several customers' orders (stand-in customer)"),
    "number on no order (stand-in customer)": N_("number on no order (stand-in customer)"),
}


def customer_match_label(how: str) -> str:
    return _(CUSTOMER_MATCHES[how]) if how in CUSTOMER_MATCHES else how


def not_rows_label(figure: str) -> str:
    if figure.startswith("event:"):
        return _("lines of {event} (not calls)").format(event=figure[6:])
    return _(NOT_ROWS[figure]) if figure in NOT_ROWS else figure


def source_notes(cur) -> dict[str, dict]:
    """Per source: ``not_rows`` (figure -> n, see NOT_ROWS) and, for sources whose rows name a
    phone number, ``customers`` (how their current rows found a customer -> rows)."""
    out: dict[str, dict] = {}
    for source, figure, n in sql.run(cur, "quality_source_counts").fetchall():
        out.setdefault(source, {}).setdefault("not_rows", {})[figure] = n
    phoned = {t for (t,) in cur.execute("SELECT table_name FROM duckdb_columns() WHERE column_name = 'customer_phone'"
                                        " AND schema_name = 'main' AND table_name IN ('calls', 'messages')").fetchall()}
    exists = cur.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'phone_directory'"
                         " AND schema_name = 'main'").fetchone()[0]
    for table, query in (("calls", "quality_caller_matches"), ("messages", "quality_recipient_matches")):
        if table in phoned and exists:
            for source, how, n in sql.run(cur, query).fetchall():
                out.setdefault(source, {}).setdefault("customers", {})[how] = n
    return out


def orders(cur, p: Params) -> dict:
    row = query_row(cur, "orders_summary", p)
    return {
        "total": row["total"],
        "by_stage": {s: row[s] for s in STAGES},
        "missed_delivery_promise": row["missed_delivery_promise"],
        "missed_activation_promise": row["missed_activation_promise"],
    }


def _by_code(rows: list[dict], value: str) -> dict[str, int]:
    return {(r["error_code"] if r["error_code"] is not None else NO_CODE): r[value] for r in rows}


def activations(cur, p: Params) -> dict:
    row = query_row(cur, "activations_summary", p)
    return {
        **row,
        "failure_rate": rate(row["failed"], row["succeeded"] + row["failed"]),
        "failed_by_code": _by_code(query_rows(cur, "activations_failed_by_code", p), "failed"),
    }


def call_impact(cur, p: Params, fmt=lambda ts: ts) -> list[dict]:
    """Calls traced to each message batch and correction (queries/messages_call_impact.sql), most
    excess first; reasons as {reason: calls}, most calls first."""
    return [
        {
            "batch_id": b["batch"],
            "template": b["template"],
            "corrects": b["corrects"],
            "messages": b["messages"],
            "customers_reached": b["customers_reached"],
            "first_sent": fmt(b["first_reach"]),
            "calls": b["calls"],
            "baseline": b["baseline"],
            "baseline_method": b["baseline_method"],
            "excess": b["excess"],
            "rate_ratio": b["rate_ratio"],
            "window_calls": b["window_calls"],
            "load_share": b["load_share"],
            "reasons": {r["reason"]: r["calls"] for r in b["reasons"]},
        }
        for b in query_rows(cur, "messages_call_impact", p)
    ]


def messages(cur, p: Params, fmt=lambda ts: ts, impact: bool = True) -> dict:
    """Spec 5's message figures; ``impact=False`` leaves out ``call_impact`` (the pages that do
    not show it skip its query; ``call_impact`` gives it on its own)."""
    row = query_row(cur, "messages_summary", p)
    batches = [
        {
            "batch_id": b["batch_id"],
            "recipients": b["recipients"],
            "sent_at": fmt(b["sent_at"]),
            "corrected_at": fmt(b["corrected_at"]),
            "hours_to_correction": b["hours_to_correction"],
        }
        for b in query_rows(cur, "retracted_batches", p)
    ]
    return {
        "sent": row["sent"],
        "failed": row["failed"],
        "failed_by_code": _by_code(query_rows(cur, "messages_failed_by_code", p), "failed"),
        "quiet_hours": row["quiet_hours"],
        "contradicting_state": row["contradicting_state"],
        "conflicting_customers": row["conflicting_customers"],
        "retracted_batches": batches,
        **({"call_impact": call_impact(cur, p, fmt)} if impact else {}),
    }


def calls(cur, p: Params) -> dict:
    row = query_row(cur, "calls_summary", p)
    offered = row["offered"]
    return {
        "offered": offered,
        "answered": row["answered"],
        "abandoned": row["abandoned"],
        "rejected": row["rejected"],
        "service_level": rate(row["within_service_level"], offered),
        "abandon_rate": rate(row["abandoned"], offered),
        "rejected_rate": rate(row["rejected"], offered),
        "asa_seconds": row["asa_seconds"],
        "no_info": row["no_info"],
        "repeat_callers": row["repeat_callers"],
    }


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
    return rows: elsewhere it is not run (its rows are none)."""
    query: str
    raise_alerts: Callable[[list[dict], Params], list[dict]]
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
    AlertRule("alert_promises", _promise_alerts, "history_promises"),
    AlertRule("alert_activation_spike", _spike_alerts, "history_activation_spike"),
    AlertRule("alert_call_overload", _overload_alerts, "history_call_overload"),
    AlertRule("alert_messages", _message_alerts, "history_messages"),
    AlertRule("alert_stalled_stages", _stalled_stage_alerts, "history_stalled_stages"),
    AlertRule("alert_stalled_hubs", _stalled_hub_alerts, "history_stalled_hubs"),
    AlertRule("alert_message_call_surge", surge_alerts, possible="alert_message_call_surge_possible"),
)


def alerts(cur, p: Params) -> list[dict]:
    """Spec 3b alerts raised at T, rule by rule (``ALERT_RULES``)."""
    return [alert for rule in ALERT_RULES for alert in rule.raise_alerts(rule.rows(cur, p), p)]


def missing_templates(cur) -> list[str]:
    """Templates used by messages that the catalog does not describe (spec 4)."""
    return [r[0] for r in cur.execute(sql.load("missing_templates")).fetchall()]

