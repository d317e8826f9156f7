"""The report of spec section 5: the same numbers as the dashboard, without a browser."""
from __future__ import annotations

from datetime import datetime

from . import metrics
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


def build(store: Store, as_of: datetime | None = None, scope: Scope = Scope()) -> dict:
    """Every figure as of T (default: live) as a JSON-ready dict, times with the launch offset."""
    tz = store.config.tz
    moment = resolve_as_of(store, as_of)
    cur = store.cursor()
    try:
        out: dict = {
            "launch": store.config.name,
            "as_of": iso(moment, tz),
            "ingest": metrics.ingest(cur),
            "sources": metrics.sources(cur),  # per launch.toml [[sources]] entry (empty without)
        }
        if moment is None:  # no event at all yet: every as-of figure is zero
            moment = datetime(1970, 1, 1, tzinfo=tz)
        p = Params(moment, store.config, scope)
        out["orders"] = metrics.orders(cur, p)
        out["activations"] = metrics.activations(cur, p)
        out["messages"] = metrics.messages(cur, p, fmt=lambda ts: iso(ts, tz))
        out["calls"] = metrics.calls(cur, p)
        out["alerts"] = [{**a, "since": iso(a["since"], tz)} for a in metrics.alerts(cur, p)]
        out["templates_missing_from_catalog"] = metrics.missing_templates(cur)
        return out
    finally:
        cur.close()


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _num(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def to_markdown(r: dict) -> str:
    """The report as a readable incident-review summary (same numbers as the JSON). Values from
    the extracts (hub names, codes, batch ids, templates) are escaped: they never become markup."""
    lines = [f"# {md_cell(r['launch'])}: launch report", "", f"As of **{r['as_of'] or 'no data yet'}**.", ""]

    lines += ["## Alerts", ""]
    if r["alerts"]:
        lines += ["| severity | kind | subject | since | what |", "|---|---|---|---|---|"]
        for a in r["alerts"]:
            lines.append(f"| {a['severity']} | {a['kind']} | {md_cell(a['subject'])} | {a['since'] or ''} | "
                         f"{md_cell(a['message'])} |")
    else:
        lines.append("No alert is raised.")
    lines.append("")

    o = r["orders"]
    lines += ["## Orders", "", f"- Orders: **{o['total']:,}**",
              f"- Missed delivery promise: **{o['missed_delivery_promise']:,}**",
              f"- Missed activation promise: **{o['missed_activation_promise']:,}**", "",
              "| stage | orders |", "|---|---:|"]
    lines += [f"| {s} | {o['by_stage'][s]:,} |" for s in STAGES]
    lines.append("")

    a = r["activations"]
    lines += ["## Activations", "",
              f"- Attempts: {a['attempts']:,}; succeeded {a['succeeded']:,}; failed {a['failed']:,}; "
              f"pending {a['pending']:,}",
              f"- Failure rate: **{_pct(a['failure_rate'])}**", ""]
    if a["failed_by_code"]:
        lines += ["| error code | failed |", "|---|---:|"]
        lines += [f"| {md_cell(code)} | {n:,} |" for code, n in a["failed_by_code"].items()]
        lines.append("")

    m = r["messages"]
    lines += ["## Messages", "",
              f"- Sent: {m['sent']:,}; failed {m['failed']:,}",
              f"- Sent in quiet hours: **{m['quiet_hours']:,}**",
              f"- Contradicting the order's state: **{m['contradicting_state']:,}**",
              f"- Customers with conflicting instructions: **{m['conflicting_customers']:,}**", ""]
    if m["failed_by_code"]:
        lines += ["| delivery error code | failed |", "|---|---:|"]
        lines += [f"| {md_cell(code)} | {n:,} |" for code, n in m["failed_by_code"].items()]
        lines.append("")
    if m["retracted_batches"]:
        lines += ["| retracted batch | recipients | sent | corrected | hours to correction |", "|---|---:|---|---|---:|"]
        for b in m["retracted_batches"]:
            lines.append(f"| {md_cell(b['batch_id'])} | {b['recipients']:,} | {b['sent_at'] or ''} | {b['corrected_at']} | "
                         f"{_num(b['hours_to_correction'])} |")
        lines.append("")
    if m.get("call_impact"):
        lines += ["Calls traced to each batch (within the call window after each customer's message; "
                  "excess = calls - baseline):", "",
                  "| batch | template | first sent | customers reached | calls | baseline | excess | share of load "
                  "| reasons |", "|---|---|---|---:|---:|---:|---:|---:|---|"]
        for b in m["call_impact"]:
            reasons = ", ".join(f"{md_cell(k)} {v:,}" for k, v in b["reasons"].items())
            lines.append(f"| {md_cell(b['batch_id'])} | {md_cell(b['template'])} | {b['first_sent'] or ''} | "
                         f"{b['customers_reached']:,} | "
                         f"{b['calls']:,} | {_num(b['baseline'])} ({b['baseline_method'] or 'n/a'}) | "
                         f"{_num(b['excess'])} | {_pct(b['load_share'])} | {reasons} |")
        lines.append("")
    if r.get("templates_missing_from_catalog"):
        lines += ["Templates missing from the catalog: " + ", ".join(map(md_cell, r["templates_missing_from_catalog"])),
                  ""]

    c = r["calls"]
    lines += ["## Call centre", "",
              f"- Offered: {c['offered']:,}; answered {c['answered']:,}; abandoned {c['abandoned']:,}; "
              f"rejected {c['rejected']:,}",
              f"- Service level: **{_pct(c['service_level'])}**; abandon rate {_pct(c['abandon_rate'])}; "
              f"rejected rate {_pct(c['rejected_rate'])}",
              f"- Average speed of answer: {_num(c['asa_seconds'])} s",
              f"- Answered without information (no_info): **{c['no_info']:,}**; repeat callers {c['repeat_callers']:,}",
              ""]

    lines += ["## Data received", "",
              "| table | files | files rejected | rows read | accepted | rejected | superseded | orphans |",
              "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for t in TABLES:
        i = r["ingest"][t]
        lines.append(f"| {t} | {i['files']:,} | {i['files_rejected']:,} | {i['rows_read']:,} | {i['rows_accepted']:,} | "
                     f"{i['rows_rejected']:,} | {i['superseded']:,} | {i['orphans']:,} |")
    lines.append("")
    if r.get("sources"):
        lines += ["| source | table | format | files | files rejected | rows read | accepted | rejected | "
                  "values no map knew |", "|---|---|---|---:|---:|---:|---:|---:|---|"]
        for s in r["sources"]:
            words = ", ".join(f"{u['column']} '{u['value']}' ({u['rows']:,})" for u in s["unmapped"])
            lines.append(f"| {s['source']} | {s['table_name']} | {s['format'] or ''} | {s['files']:,} | "
                         f"{s['files_rejected']:,} | {s['rows_read']:,} | {s['rows_accepted']:,} | "
                         f"{s['rows_rejected']:,} | {words} |")
        lines.append("")
        for s in r["sources"]:  # what the logs hold besides rows, and how rows found their customer
            told = [f"{n:,} {metrics.not_rows_label(k)}" for k, n in s.get("not_rows", {}).items()]
            told += [f"{n:,} {how}" for how, n in s.get("customers", {}).items()]
            if told:
                lines.append(f"- **{s['source']}**: " + "; ".join(told))
        lines.append("")
    return "\n".join(lines)
