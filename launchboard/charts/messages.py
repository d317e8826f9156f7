"""Messages: sends per hour by template over shaded quiet windows, retractions, delivery failures.

Pure functions over small query results (queries/messages_*.sql) and the report; no streamlit here.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

import altair as alt
import pandas as pd

from ..i18n import NP_, _, baseline_words, ngettext, num
from .common import TIME_FORMAT, time_x, with_markers, word_domain, words

QUIET_COLOR = "#9e9ac8"
BATCH_SERIES = {"traced to the batch": NP_("batch series", "traced to the batch"),
                "the same customers the day before": NP_("batch series", "the same customers the day before")}



def quiet_windows(start: datetime, end: datetime, q_start: time, q_end: time) -> pd.DataFrame:
    """Each night's quiet window [q_start, q_end) that overlaps [start, end] (naive launch-local
    times), clipped to it. Columns start, end, label. A window may wrap midnight."""
    rows = []
    day = start.date() - timedelta(days=1)
    while day <= end.date():
        w_start = datetime.combine(day, q_start)
        w_end = datetime.combine(day + timedelta(days=1) if q_end <= q_start else day, q_end)
        if w_start < end and w_end > start:
            rows.append({"start": max(w_start, start), "end": min(w_end, end),
                         "label": _("quiet hours {start} to {end}").format(start=f"{w_start:%m-%d %H:%M}",
                                                                           end=f"{w_end:%m-%d %H:%M}")})
        day += timedelta(days=1)
    return pd.DataFrame(rows, columns=["start", "end", "label"])


def sends_by_template(df: pd.DataFrame, windows: pd.DataFrame, marker_df: pd.DataFrame | None
                      ) -> alt.LayerChart | alt.Chart:
    """Messages per hour stacked by template (query messages_hourly_by_template), each night's
    quiet window shaded (quiet_windows)."""
    tooltip = [alt.Tooltip("at:T", title=_("hour"), format="%Y-%m-%d %H:%M"),
               alt.Tooltip("template:N", title=_("template")), alt.Tooltip("sent:Q", title=_("sent"), format=","),
               alt.Tooltip("quiet:Q", title=_("in quiet hours"), format=",")]
    bars = (
        alt.Chart(df.assign(end=df["at"] + pd.Timedelta(hours=1)))
        .mark_bar(orient="vertical", stroke="white", strokeWidth=0.3)
        .encode(
            x=time_x(),
            x2="end:T",
            y=alt.Y("sent:Q", title=_("Messages per hour"), stack="zero"),
            color=alt.Color("template:N", title=_("Template"), scale=alt.Scale(scheme="tableau10"),
                            legend=alt.Legend(orient="bottom", columns=3, labelLimit=260)),
            tooltip=tooltip,
        )
    )
    if windows.empty:
        return with_markers(bars, marker_df)
    shade = (
        alt.Chart(windows)
        .mark_rect(color=QUIET_COLOR, opacity=0.18)
        .encode(x=alt.X("start:T"), x2="end:T",
                tooltip=[alt.Tooltip("label:N", title=_("window"))])
    )
    return with_markers(alt.layer(shade, bars), marker_df)


def retraction_timeline(df: pd.DataFrame, marker_df: pd.DataFrame | None) -> alt.LayerChart | alt.Chart:
    """Each retracted batch from its send to its first correction (columns batch_id, sent_at,
    corrected_at as launch-local times, recipients, hours_to_correction, batch_template,
    correction_template, correction_messages)."""
    tooltip = [alt.Tooltip("batch_id:N", title=_("batch")), alt.Tooltip("batch_template:N", title=_("template")),
               alt.Tooltip("recipients:Q", title=_("recipients"), format=","),
               alt.Tooltip("sent_at:T", title=_("sent"), format="%Y-%m-%d %H:%M"),
               alt.Tooltip("corrected_at:T", title=_("corrected"), format="%Y-%m-%d %H:%M"),
               alt.Tooltip("hours_to_correction:Q", title=_("hours to correction"), format=".1f"),
               alt.Tooltip("correction_template:N", title=_("correction template")),
               alt.Tooltip("correction_messages:Q", title=_("correction messages"), format=",")]
    captions = [ngettext("{n} recipient, corrected after {hours} h", "{n} recipients, corrected after {hours} h",
                         int(r)).format(n=num(int(r)), hours=num(h, 1))
                for r, h in zip(df["recipients"], df["hours_to_correction"])]
    base = alt.Chart(df.assign(caption=captions)).encode(y=alt.Y("batch_id:N", title=_("Retracted batch")),
                                                         tooltip=tooltip)
    span = base.mark_rule(strokeWidth=3, color="#bbbbbb").encode(
        x=alt.X("sent_at:T", title=_("Launch time"), axis=alt.Axis(format=TIME_FORMAT, labelAngle=-30)),
        x2="corrected_at:T")
    sent = base.mark_point(filled=True, size=120, shape="circle", color="#1f77b4").encode(x="sent_at:T")
    fixed = base.mark_point(filled=True, size=140, shape="diamond", color="#ff7f0e").encode(x="corrected_at:T")
    label = base.mark_text(align="left", dx=10, dy=-10, fontSize=12).encode(
        x="sent_at:T",
        text=alt.Text("caption:N"),
    )
    return with_markers(alt.layer(span, sent, fixed, label), marker_df)


def failures_by_code(failed_by_code: dict[str, int]) -> alt.Chart:
    """Delivery failures per error code (the report's messages.failed_by_code)."""
    df = pd.DataFrame({"error_code": list(failed_by_code), "failed": list(failed_by_code.values())})
    return (
        alt.Chart(df)
        .mark_bar(color="#d62728")
        .encode(
            y=alt.Y("error_code:N", title=_("Delivery error code"), sort="-x"),
            x=alt.X("failed:Q", title=_("Failed messages")),
            tooltip=[alt.Tooltip("error_code:N", title=_("error code")),
                     alt.Tooltip("failed:Q", title=_("failed"), format=",")],
        )
    )


IMPACT_COLUMNS = ["batch_id", "template", "first_sent", "customers_reached", "calls", "baseline", "baseline_method",
                  "excess", "rate_ratio", "load_share", "reasons"]


def impact_frame(call_impact: list[dict], tz) -> pd.DataFrame:
    """The report's messages.call_impact as a table, ranked as the report ranks it (most excess
    first, rank 1..n): first_sent in launch-local time, reasons as one line ("delivery 80,
    activation 12"), the baseline's method in the reader's words."""
    df = pd.DataFrame(call_impact, columns=IMPACT_COLUMNS)
    df["first_sent"] = pd.to_datetime(df["first_sent"], utc=True).dt.tz_convert(tz).dt.tz_localize(None)
    df["reasons"] = [", ".join(f"{k} {num(v)}" for k, v in r.items()) for r in df["reasons"]]
    df["baseline_method"] = df["baseline_method"].map(lambda m: baseline_words(m) if isinstance(m, str) else m)
    df.insert(0, "rank", range(1, len(df) + 1))
    return df


def batch_calls(df: pd.DataFrame, marker_df: pd.DataFrame | None) -> alt.LayerChart | alt.Chart:
    """One batch's traced calls per 15 minutes against its customers' calls the day before, drawn
    24 h later (query messages_batch_calls): side by side in each quarter (day before left)."""
    colors = {"traced to the batch": "#d62728", "the same customers the day before": "#7f7f7f"}
    half = pd.Timedelta(minutes=7.5)
    before = df["series"] == "the same customers the day before"
    start = df["at"] + (~before).astype(int) * half
    data = df.assign(start=start, end=start + half)
    bars = (
        alt.Chart(words(data, "series", BATCH_SERIES, "batch series"))
        .mark_bar(orient="vertical")
        .encode(
            x=alt.X("start:T", title=_("Launch time"), axis=alt.Axis(format=TIME_FORMAT, labelAngle=-30)), x2="end:T",
            y=alt.Y("calls:Q", title=_("Calls per 15 min"), stack=None),
            color=alt.Color("series:N", title=None,
                            scale=alt.Scale(domain=word_domain(BATCH_SERIES, "batch series"),
                                            range=list(colors.values())),
                            legend=alt.Legend(orient="top", labelLimit=260)),
            tooltip=[alt.Tooltip("at:T", title=_("quarter from"), format="%Y-%m-%d %H:%M"),
                     alt.Tooltip("series:N", title=_("series")), alt.Tooltip("calls:Q", title=_("calls"), format=",")],
        )
    )
    return with_markers(bars, marker_df)


def reasons(reasons_by_count: dict[str, int]) -> alt.Chart:
    """The reasons the traced callers gave (a batch's reasons in the report)."""
    df = pd.DataFrame({"reason": list(reasons_by_count), "calls": list(reasons_by_count.values())})
    return (
        alt.Chart(df)
        .mark_bar(color="#1f77b4")
        .encode(y=alt.Y("reason:N", title=_("Reason"), sort="-x"), x=alt.X("calls:Q", title=_("Traced calls")),
                tooltip=[alt.Tooltip("reason:N", title=_("reason")), alt.Tooltip("calls:Q", title=_("calls"), format=",")])
    )
