"""Incident review: replay moments, alert history, and the exported incident report.

The replay steps through the launch by hour, from the hour of the first order to live T.
``history.alert_history`` gives the alerts of ``alerts.alerts`` (the very rules of the
dashboard and the report) at each of those moments; ``alert_periods`` turns that into when each
alert was raised, when it cleared and its peak. The exported report's body is
``report.to_markdown(report.build(store, T))``, the same text as ``python -m launchboard report
--as-of T --format md``, followed by the window's alert history.
"""
from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pandas as pd

from . import i18n, metrics, report, sql
from .history import alert_history
from .i18n import FONTS, _, alert_subject, num, severity
from .loader import Store
from .metrics import Params, Scope
from .text import md_cell
from .timeutil import iso

STEP = timedelta(hours=1)
MAX_MOMENTS = 120  # a longer launch gets a coarser step (whole hours)
HISTORY_HEADING = "## Alert history"  # in English; history_heading() in the report's language


def history_heading() -> str:
    return "## " + _("Alert history")


def replay_moments(store: Store, *, max_moments: int = MAX_MOMENTS) -> list[datetime]:
    """Whole launch-local hours from the first order's hour up to live T, then live T itself.

    The step is one hour, or whole hours enough to keep at most ``max_moments`` moments.
    Empty when there is no event; just live T when there is no order yet.
    """
    cur = store.cursor()
    try:
        live = metrics.default_as_of(cur)
        first = sql.run(cur, "review_span").fetchone()[0]
    finally:
        cur.close()
    if live is None:
        return []
    tz = store.config.tz
    live = live.astimezone(tz)
    if first is None or first > live:
        return [live]
    start = first.astimezone(tz).replace(minute=0, second=0, microsecond=0).astimezone(timezone.utc)
    hours = (live - start) / STEP
    step = STEP * max(1, math.ceil(hours / max_moments))
    out = []
    moment = start
    while live - moment >= timedelta(minutes=1):  # UTC arithmetic: every step has the same length
        out.append(moment.astimezone(tz))
        moment += step
    out.append(live)
    return out


def step_of(moments: list[datetime]) -> timedelta | None:
    """The replay step (the gap between the first two moments), None for fewer than three."""
    return moments[1] - moments[0] if len(moments) > 2 else None


@dataclass(frozen=True)
class AlertPeriod:
    """One uninterrupted run of moments at which an alert (kind, subject) was raised."""
    kind: str
    subject: str | None
    severity: str
    raised_at: datetime  # the first moment of the run
    cleared_at: datetime | None  # the first moment after the run; None: still raised at the last moment
    peak: int  # the largest count (orders, attempts, calls or messages concerned) in the run
    peak_at: datetime  # the first moment with that count


def alert_periods(history: list[dict], moments: list[datetime]) -> list[AlertPeriod]:
    """Periods of each alert over ``moments`` (history rows at other moments are ignored),
    ordered by raised_at, kind, subject."""
    index = {m: i for i, m in enumerate(moments)}
    by_alert: dict[tuple[str, str | None], dict[int, dict]] = {}
    for row in history:
        if row["at"] in index:
            by_alert.setdefault((row["kind"], row["subject"]), {})[index[row["at"]]] = row
    out = []
    for (kind, subject), at in by_alert.items():
        run: list[dict] = []
        for i in range(len(moments) + 1):
            row = at.get(i)
            if row is not None:
                run.append(row)
                continue
            if run:
                peak = max(run, key=lambda r: r["count"])  # max keeps the first of equal counts
                out.append(AlertPeriod(kind, subject, run[0]["severity"], run[0]["at"],
                                       moments[i] if i < len(moments) else None, peak["count"], peak["at"]))
                run = []
    return sorted(out, key=lambda p: (p.raised_at, p.kind, p.subject or ""))


def in_window(periods: list[AlertPeriod], start: datetime, end: datetime) -> list[AlertPeriod]:
    """The periods that overlap [start, end]."""
    return [p for p in periods if p.raised_at <= end and (p.cleared_at is None or p.cleared_at > start)]


def alert_summary(periods: list[AlertPeriod]) -> pd.DataFrame:
    """Per alert (kind, subject): first raised, last cleared (NaT: still raised), peak, peak
    moment and how many times it was raised. Ordered by first raised."""
    cols = ["severity", "kind", "subject", "first_raised", "cleared", "peak", "peak_at", "times_raised"]
    if not periods:
        return pd.DataFrame(columns=cols)
    rows = []
    for (kind, subject), group in pd.DataFrame([p.__dict__ for p in periods]).groupby(
            ["kind", "subject"], dropna=False, sort=False):
        last = group.iloc[-1]
        top = group.loc[group["peak"].idxmax()]
        rows.append({
            "severity": last["severity"], "kind": kind, "subject": None if pd.isna(subject) else subject,
            "first_raised": group["raised_at"].iloc[0], "cleared": last["cleared_at"],
            "peak": int(top["peak"]), "peak_at": top["peak_at"], "times_raised": len(group),
        })
    return pd.DataFrame(rows, columns=cols).sort_values(["first_raised", "kind"], kind="stable").reset_index(drop=True)


def history_markdown(periods: list[AlertPeriod], start: datetime, end: datetime, step: timedelta | None,
                     tz) -> str:
    """The alert-history section of the incident report for the window [start, end]."""
    text = (_("The alerts evaluated every {hours} h (launch time) with the dashboard's rules: *raised* is the "
              "first evaluated moment the rule held, *cleared* the first moment it no longer held, *peak* the "
              "largest number of orders, attempts, calls or messages concerned.").format(hours=f"{step / STEP:g}")
            if step else
            _("The alerts evaluated at the chosen moments (launch time) with the dashboard's rules: *raised* is "
              "the first evaluated moment the rule held, *cleared* the first moment it no longer held, *peak* the "
              "largest number of orders, attempts, calls or messages concerned."))
    lines = [_("{heading}, {start} to {end}").format(heading=history_heading(), start=iso(start, tz),
                                                     end=iso(end, tz)), "", text, ""]
    if not periods:
        lines += [_("No alert was raised in this window."), ""]
        return "\n".join(lines)
    lines += ["| " + " | ".join((_("severity"), _("kind"), _("subject"), _("raised"), _("cleared"), _("peak"),
                                 _("peak at"))) + " |", "|---|---|---|---|---|---:|---|"]
    for p in periods:
        cleared = iso(p.cleared_at, tz) if p.cleared_at is not None else _("still raised at the window's end")
        subject = md_cell(alert_subject(p.kind, p.subject))
        lines.append(f"| {severity(p.severity)} | {p.kind} | {subject} | {iso(p.raised_at, tz)} | {cleared} | "
                     f"{num(p.peak)} | {iso(p.peak_at, tz)} |")
    lines.append("")
    return "\n".join(lines)


@dataclass(frozen=True)
class Incident:
    """What the exported report describes: the window, the report at its end, the alert periods."""
    start: datetime
    end: datetime
    report: dict
    periods: list[AlertPeriod]
    step: timedelta | None


def incident(store: Store, start: datetime, end: datetime, *, moments: list[datetime] | None = None,
             history: list[dict] | None = None) -> Incident:
    """The report at ``end`` (no filters: the CLI's numbers) and the alert periods overlapping
    [start, end], from the replay moments up to ``end`` (``history`` may be given precomputed,
    unfiltered, for at least those moments)."""
    if moments is None:
        moments = replay_moments(store)
    upto = [m for m in moments if m <= end]
    if not upto or upto[-1] != end:
        upto.append(end)
    if history is None:
        history = alert_history(store, upto)
    periods = in_window(alert_periods(history, upto), start, end)
    return Incident(start, end, report.build(store, end), periods, step_of(moments))


def to_markdown(inc: Incident, tz) -> str:
    """The CLI's Markdown report at the window's end, then the window's alert history."""
    return report.to_markdown(inc.report) + "\n" + history_markdown(inc.periods, inc.start, inc.end, inc.step, tz)


def timeline_frames(store: Store, start: datetime, as_of: datetime, scope: Scope = Scope()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The timeline's hourly series in [start, as_of] and the marked moments known at as_of."""
    values = {**Params(as_of, store.config, scope).values(), "start": start}
    cur = store.cursor()
    try:
        return sql.run(cur, "review_hourly", values).df(), sql.run(cur, "launch_markers", values).df()
    finally:
        cur.close()


def incident_html(store: Store, inc: Incident) -> str:
    """The incident report as a self-contained HTML page with the window's timeline."""
    from .charts.review import local, periods_frame, timeline

    tz = store.config.tz
    hourly, markers = timeline_frames(store, inc.start, inc.end)
    chart = timeline(hourly, markers, periods_frame(inc.periods, inc.end, tz), local(inc.end, tz),
                     (local(inc.start, tz), local(inc.end, tz)), width=760)
    caption = _("Orders delivered and activated and activation attempts failed per hour, marked moments, and "
                "alert periods, {start} to {end} (launch time).").format(start=iso(inc.start, tz), end=iso(inc.end, tz))
    title = _("{launch}: incident report to {end}").format(launch=inc.report["launch"], end=iso(inc.end, tz))
    return to_html(to_markdown(inc, tz), [(caption, chart)], title)


_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<!\*)\*([^*]+)\*(?!\*)")
_CODE = re.compile(r"`([^`]+)`")
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")  # a backslash-escaped ASCII punctuation mark (text.md_cell)
_KEPT = re.compile("\x00(\\d+)\x00")
_CELL_BAR = re.compile(r"(?<!\\)\|")  # a table's column separator, not an escaped pipe


def _inline(text: str) -> str:
    kept: list[str] = []

    def keep(m: re.Match) -> str:  # escaped characters are text: set aside from the markup rules
        kept.append(m.group(1))
        return f"\x00{len(kept) - 1}\x00"

    out = html.escape(_ESCAPED.sub(keep, text.replace("\x00", "")), quote=False)
    out = _CODE.sub(r"<code>\1</code>", out)
    out = _BOLD.sub(r"<strong>\1</strong>", out)
    out = _ITALIC.sub(r"<em>\1</em>", out)
    return _KEPT.sub(lambda m: html.escape(kept[int(m.group(1))]), out)


def markdown_html(text: str) -> str:
    """HTML for the Markdown the reports use: headings, paragraphs, bullet lists, pipe tables
    (a ``---:`` column is right-aligned), bold, italics and code; a backslash-escaped character
    is text. Everything else is escaped: no tag of the input survives."""
    out: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
        elif line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            out.append(f"<h{level}>{_inline(line[level:].strip())}</h{level}>")
            i += 1
        elif line.startswith("|"):
            block = []
            while i < len(lines) and lines[i].startswith("|"):
                row = lines[i].strip()
                block.append([c.strip() for c in _CELL_BAR.split(row[1:-1] if row.endswith("|") else row[1:])])
                i += 1
            right = [c.endswith(":") for c in block[1]] if len(block) > 1 else []
            head = "".join(f"<th>{_inline(c)}</th>" for c in block[0])
            body = "".join(
                "<tr>" + "".join(("<td class=\"num\">" if k < len(right) and right[k] else "<td>")
                                 + _inline(c) + "</td>" for k, c in enumerate(row)) + "</tr>"
                for row in block[2:]
            )
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        elif line.startswith("- "):
            items = []
            while i < len(lines) and lines[i].startswith("- "):
                items.append(f"<li>{_inline(lines[i][2:])}</li>")
                i += 1
            out.append("<ul>" + "".join(items) + "</ul>")
        else:
            para = []
            while i < len(lines) and lines[i].strip() and not lines[i].startswith(("#", "|", "- ")):
                para.append(lines[i])
                i += 1
            out.append(f"<p>{_inline(' '.join(para))}</p>")
    return "\n".join(out)


_STYLE = """
body { font-family: %(fonts)s; margin: 2rem auto;
       max-width: 1100px; color: #222; line-height: 1.45; padding: 0 1rem; }
h1 { border-bottom: 2px solid #ddd; padding-bottom: .3rem; }
h2 { margin-top: 2rem; border-bottom: 1px solid #eee; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .92rem; }
th, td { border: 1px solid #ddd; padding: .25rem .6rem; text-align: left; vertical-align: top; }
th { background: #f5f5f5; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1rem 0; } figcaption { color: #555; font-size: .9rem; }
footer { color: #777; font-size: .85rem; margin-top: 2rem; }
""" % {"fonts": FONTS}


def to_html(markdown_text: str, charts: list[tuple[str, object]], title: str) -> str:
    """A self-contained HTML page in the language of the work at hand: the report, then each
    (caption, Altair chart) as inline SVG rendered by vl-convert (no script, nothing fetched when
    it is opened). Text is set in Noto Sans CJK KR first (i18n.FONTS), the charts' too."""
    import vl_convert

    from .charts.common import with_fonts

    figures = []
    for caption, chart in charts:
        svg = vl_convert.vegalite_to_svg(with_fonts(chart).to_json())
        figures.append(f"<figure>{svg}<figcaption>{html.escape(caption)}</figcaption></figure>")
    body = markdown_html(markdown_text)
    charts_html = ("<h2>" + html.escape(_("Charts")) + "</h2>\n" + "\n".join(figures)) if figures else ""
    footer = html.escape(_("Exported by Launchboard. The figures are those of {command} at the window's end.")).format(
        command="<code>python -m launchboard report --format md</code>")
    return (
        f"<!DOCTYPE html>\n<html lang=\"{i18n.current()}\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>\n"
        f"{body}\n{charts_html}\n"
        f"<footer>{footer}</footer>\n"
        "</body></html>\n"
    )
