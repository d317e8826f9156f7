"""The report of spec section 5: the same numbers as the dashboard, without a browser."""
from __future__ import annotations

from datetime import datetime

from . import alerts, metrics
from .i18n import _, alert_subject, baseline_words, num, pct, severity, stage
from .loader import Store
from .metrics import Params, Scope
from .schema import STAGES, TABLES
from .text import md_cell
from .timeutil import iso


def resolve_as_of(store: Store, as_of: datetime | None) -> datetime | None:
    """The chosen moment, or the live T (newest event) when none is chosen."""
    if as_of is not None:
        return as_of
    cur = store.cursor()
    try:
        return metrics.default_as_of(cur)
    finally:
        cur.close()


# The report's sections (spec 5), in its order; ``build(sections=...)`` computes only some.
SECTIONS = ("ingest", "sources", "orders", "activations", "messages", "calls", "alerts",
            "templates_missing_from_catalog")


def build(store: Store, as_of: datetime | None = None, scope: Scope = Scope(), *, impact: bool = True,
          sections: tuple[str, ...] = SECTIONS, alert_kinds: tuple[str, ...] = alerts.ALERT_KINDS) -> dict:
    """Every figure as of T (default: live) as a JSON-ready dict, times with the launch offset.
    Keys and identifiers are English; the alerts' ``message`` is in the language of the work at
    hand (launchboard.i18n). ``impact=False`` leaves out ``messages.call_impact`` (``call_impact``).

    ``sections`` (of ``SECTIONS``) and ``alert_kinds`` (of ``alerts.ALERT_KINDS``) keep only
    those: a page computes the figures it shows, each as the whole report has it."""
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        raise ValueError("unknown report section(s): " + ", ".join(sorted(unknown)))
    tz = store.config.tz
    moment = resolve_as_of(store, as_of)
    cur = store.cursor()
    try:
        out: dict = {"launch": store.config.name, "as_of": iso(moment, tz)}
        if "ingest" in sections:
            out["ingest"] = metrics.ingest(cur)
        if "sources" in sections:
            out["sources"] = metrics.sources(cur)  # per launch.toml [[sources]] entry (empty without)
        if moment is None:  # no event at all yet: every as-of figure is zero
            moment = datetime(1970, 1, 1, tzinfo=tz)
        p = Params(moment, store.config, scope)
        if "orders" in sections:
            out["orders"] = metrics.orders(cur, p)
        if "activations" in sections:
            out["activations"] = metrics.activations(cur, p)
        if "messages" in sections:
            out["messages"] = metrics.messages(cur, p, fmt=lambda ts: iso(ts, tz), impact=impact)
        if "calls" in sections:
            out["calls"] = metrics.calls(cur, p)
        if "alerts" in sections:
            out["alerts"] = [{**a, "since": iso(a["since"], tz)} for a in alerts.alerts(cur, p, alert_kinds)]
        if "templates_missing_from_catalog" in sections:
            out["templates_missing_from_catalog"] = metrics.missing_templates(cur)
        return out
    finally:
        cur.close()


def headline(store: Store, as_of: datetime, scope: Scope = Scope()) -> dict:
    """The headline figures of ``build`` alone (the KPI tiles' comparison moment): ``orders``,
    ``activations`` and ``calls`` as ``build`` gives them, and ``messages`` with ``sent`` and
    ``failed``; no alerts, batches or sources."""
    cur = store.cursor()
    try:
        p = Params(as_of, store.config, scope)
        return {"orders": metrics.orders(cur, p), "activations": metrics.activations(cur, p),
                "messages": metrics.message_counts(cur, p), "calls": metrics.calls(cur, p)}
    finally:
        cur.close()


def call_impact(store: Store, as_of: datetime | None = None, scope: Scope = Scope()) -> list[dict]:
    """``build(...)["messages"]["call_impact"]`` alone: the calls traced to each message batch."""
    tz = store.config.tz
    moment = resolve_as_of(store, as_of)
    if moment is None:
        return []
    cur = store.cursor()
    try:
        return metrics.call_impact(cur, Params(moment, store.config, scope), lambda ts: iso(ts, tz))
    finally:
        cur.close()


def _pct(value: float | None) -> str:
    return pct(value)


def _num(value: float | None, digits: int = 1) -> str:
    return num(value, digits)


def _row(*cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def to_markdown(r: dict) -> str:
    """The report as a readable incident-review summary (same numbers as the JSON), in the
    language of the work at hand. Values from the extracts (hub names, codes, batch ids,
    templates) are escaped: they never become markup."""
    lines = ["# " + _("{launch}: launch report").format(launch=md_cell(r["launch"])), "",
             _("As of **{moment}**.").format(moment=r["as_of"] or _("no data yet")), ""]

    lines += ["## " + _("Alerts"), ""]
    if r["alerts"]:
        lines += [_row(_("severity"), _("kind"), _("subject"), _("since"), _("what")), "|---|---|---|---|---|"]
        for a in r["alerts"]:
            subject = md_cell(alert_subject(a["kind"], a["subject"]))
            lines.append(f"| {severity(a['severity'])} | {a['kind']} | {subject} | {a['since'] or ''} | "
                         f"{md_cell(a['message'])} |")
    else:
        lines.append(_("No alert is raised."))
    lines.append("")

    o = r["orders"]
    lines += ["## " + _("Orders"), "", "- " + _("Orders: **{n}**").format(n=num(o["total"])),
              "- " + _("Missed delivery promise: **{n}**").format(n=num(o["missed_delivery_promise"])),
              "- " + _("Missed activation promise: **{n}**").format(n=num(o["missed_activation_promise"])), "",
              _row(_("stage"), _("orders")), "|---|---:|"]
    lines += [f"| {stage(s)} | {num(o['by_stage'][s])} |" for s in STAGES]
    lines.append("")

    a = r["activations"]
    lines += ["## " + _("Activations"), "",
              "- " + _("Attempts: {attempts}; succeeded {succeeded}; failed {failed}; pending {pending}").format(
                  attempts=num(a["attempts"]), succeeded=num(a["succeeded"]), failed=num(a["failed"]),
                  pending=num(a["pending"])),
              "- " + _("Failure rate: **{rate}**").format(rate=_pct(a["failure_rate"])), ""]
    if a["failed_by_code"]:
        lines += [_row(_("error code"), _("failed")), "|---|---:|"]
        lines += [f"| {md_cell(code)} | {num(n)} |" for code, n in a["failed_by_code"].items()]
        lines.append("")

    m = r["messages"]
    lines += ["## " + _("Messages"), "",
              "- " + _("Sent: {sent}; failed {failed}").format(sent=num(m["sent"]), failed=num(m["failed"])),
              "- " + _("Sent in quiet hours: **{n}**").format(n=num(m["quiet_hours"])),
              "- " + _("Contradicting the order's state: **{n}**").format(n=num(m["contradicting_state"])),
              "- " + _("Customers with conflicting instructions: **{n}**").format(
                  n=num(m["conflicting_customers"])), ""]
    if m["failed_by_code"]:
        lines += [_row(_("delivery error code"), _("failed")), "|---|---:|"]
        lines += [f"| {md_cell(code)} | {num(n)} |" for code, n in m["failed_by_code"].items()]
        lines.append("")
    if m["retracted_batches"]:
        lines += [_row(_("retracted batch"), _("recipients"), _("sent"), _("corrected"), _("hours to correction")),
                  "|---|---:|---|---|---:|"]
        for b in m["retracted_batches"]:
            lines.append(f"| {md_cell(b['batch_id'])} | {num(b['recipients'])} | {b['sent_at'] or ''} | "
                         f"{b['corrected_at']} | {_num(b['hours_to_correction'])} |")
        lines.append("")
    if m.get("call_impact"):
        lines += [_("Calls traced to each batch (within the call window after each customer's message; "
                    "excess = calls - baseline):"), "",
                  _row(_("batch"), _("template"), _("first sent"), _("customers reached"), _("calls"), _("baseline"),
                       _("excess"), _("share of load"), _("reasons")), "|---|---|---|---:|---:|---:|---:|---:|---|"]
        for b in m["call_impact"]:
            reasons = ", ".join(f"{md_cell(k)} {num(v)}" for k, v in b["reasons"].items())
            method = baseline_words(b["baseline_method"]) if b["baseline_method"] else _("n/a")
            lines.append(f"| {md_cell(b['batch_id'])} | {md_cell(b['template'])} | {b['first_sent'] or ''} | "
                         f"{num(b['customers_reached'])} | "
                         f"{num(b['calls'])} | {_num(b['baseline'])} ({method}) | "
                         f"{_num(b['excess'])} | {_pct(b['load_share'])} | {reasons} |")
        lines.append("")
    if r.get("templates_missing_from_catalog"):
        lines += [_("Templates missing from the catalog: {templates}").format(
            templates=", ".join(map(md_cell, r["templates_missing_from_catalog"]))), ""]

    c = r["calls"]
    lines += ["## " + _("Call centre"), "",
              "- " + _("Offered: {offered}; answered {answered}; abandoned {abandoned}; rejected {rejected}").format(
                  offered=num(c["offered"]), answered=num(c["answered"]), abandoned=num(c["abandoned"]),
                  rejected=num(c["rejected"])),
              "- " + _("Service level: **{level}**; abandon rate {abandon}; rejected rate {rejected}").format(
                  level=_pct(c["service_level"]), abandon=_pct(c["abandon_rate"]), rejected=_pct(c["rejected_rate"])),
              "- " + _("Average speed of answer: {seconds} s").format(seconds=_num(c["asa_seconds"])),
              "- " + _("Answered without information (no_info): **{no_info}**; repeat callers {repeat}").format(
                  no_info=num(c["no_info"]), repeat=num(c["repeat_callers"])),
              ""]

    lines += ["## " + _("Data received"), "",
              _row(_("table"), _("files"), _("files rejected"), _("rows read"), _("accepted"), _("rejected"),
                   _("superseded"), _("orphans")),
              "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for t in TABLES:
        i = r["ingest"][t]
        lines.append(_row(t, *(num(i[k]) for k in ("files", "files_rejected", "rows_read", "rows_accepted",
                                                   "rows_rejected", "superseded", "orphans"))))
    lines.append("")
    if r.get("sources"):
        lines += [_row(_("source"), _("table"), _("format"), _("files"), _("files rejected"), _("rows read"),
                       _("accepted"), _("rejected"), _("values no map knew")),
                  "|---|---|---|---:|---:|---:|---:|---:|---|"]
        for s in r["sources"]:
            words = ", ".join(f"{u['column']} '{u['value']}' ({num(u['rows'])})" for u in s["unmapped"])
            lines.append(f"| {s['source']} | {s['table_name']} | {s['format'] or ''} | {num(s['files'])} | "
                         f"{num(s['files_rejected'])} | {num(s['rows_read'])} | {num(s['rows_accepted'])} | "
                         f"{num(s['rows_rejected'])} | {words} |")
        lines.append("")
        for s in r["sources"]:  # what the logs hold besides rows, and how rows found their customer
            told = [f"{num(n)} {metrics.not_rows_label(k)}" for k, n in s.get("not_rows", {}).items()]
            told += [f"{num(n)} {metrics.customer_match_label(how)}" for how, n in s.get("customers", {}).items()]
            if told:
                lines.append(f"- **{s['source']}**: " + "; ".join(told))
        lines.append("")
    return "\n".join(lines)
