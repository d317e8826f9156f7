"""Incident review: one launch timeline with the hourly series, marked moments, alert periods
and the replay moment. Pure functions over small frames; no streamlit here."""
from __future__ import annotations

from datetime import datetime

import altair as alt
import pandas as pd

from launchboard.review import AlertPeriod

from .common import TIME_FORMAT, time_x, with_markers

SERIES_COLORS = {
    "orders delivered": "#2ca02c",
    "orders activated": "#17becf",
    "activation attempts failed": "#d62728",
}
SEVERITY_COLORS = {"critical": "#d62728", "warning": "#ff9f1c"}
MOMENT_COLOR = "#222222"


def local(moment: datetime, tz) -> pd.Timestamp:
    """Launch-local wall-clock time without zone (what every chart's time axis shows)."""
    return pd.Timestamp(moment.astimezone(tz).replace(tzinfo=None))


def _datetime(ts: pd.Timestamp) -> alt.DateTime:
    return alt.DateTime(year=ts.year, month=ts.month, date=ts.day, hours=ts.hour, minutes=ts.minute)


def periods_frame(periods: list[AlertPeriod], until: datetime, tz) -> pd.DataFrame:
    """One row per alert period for the chart: alert label, local start/end (an open period
    ends at ``until``), severity, peak and readable times for the tooltip."""
    rows = []
    for p in periods:
        rows.append({
            "alert": p.kind + (f" · {p.subject}" if p.subject else ""),
            "severity": p.severity,
            "start": local(p.raised_at, tz),
            "end": local(p.cleared_at if p.cleared_at is not None else until, tz),
            "raised": local(p.raised_at, tz).strftime("%Y-%m-%d %H:%M"),
            "cleared": local(p.cleared_at, tz).strftime("%Y-%m-%d %H:%M") if p.cleared_at else "still raised",
            "peak": p.peak,
            "peak_at": local(p.peak_at, tz).strftime("%Y-%m-%d %H:%M"),
        })
    return pd.DataFrame(rows, columns=["alert", "severity", "start", "end", "raised", "cleared", "peak", "peak_at"])


def timeline(hourly: pd.DataFrame, marker_df: pd.DataFrame | None, periods: pd.DataFrame,
             moment: pd.Timestamp, domain: tuple[pd.Timestamp, pd.Timestamp], *, width: int | str = "container"):
    """Hourly series (columns at, series, n) with marked moments, over alert periods (from
    ``periods_frame``), on one shared launch-time axis spanning ``domain``; a solid rule marks
    the replay moment."""
    scale = alt.Scale(domain=[_datetime(domain[0]), _datetime(domain[1])])
    x = time_x()
    x.scale = scale
    series = (
        alt.Chart(hourly)
        .mark_line(point=alt.OverlayMarkDef(size=18), interpolate="monotone")
        .encode(
            x=x,
            y=alt.Y("n:Q", title="per hour"),
            color=alt.Color("series:N", title="Series",
                            scale=alt.Scale(domain=list(SERIES_COLORS), range=list(SERIES_COLORS.values()))),
            tooltip=[alt.Tooltip("at:T", title="hour", format="%Y-%m-%d %H:%M"),
                     alt.Tooltip("series:N"), alt.Tooltip("n:Q", title="count", format=",")],
        )
        .properties(height=260, width=width, title="Launch timeline (launch time)")
    )
    rule_df = pd.DataFrame({"at": [moment], "label": ["replay moment " + moment.strftime("%Y-%m-%d %H:%M")]})
    rule = alt.Chart(rule_df).mark_rule(color=MOMENT_COLOR, strokeWidth=2).encode(
        x=alt.X("at:T", scale=scale), tooltip=[alt.Tooltip("label:N", title="moment")])
    if marker_df is not None and not marker_df.empty:
        marker_df = marker_df[(marker_df["at"] >= domain[0]) & (marker_df["at"] <= domain[1])]
    top = alt.layer(with_markers(series, marker_df), rule)
    if periods.empty:
        return top
    bars = (
        alt.Chart(periods)
        .mark_bar(height=14, cornerRadius=2)
        .encode(
            x=alt.X("start:T", scale=scale, title="Launch time", axis=alt.Axis(format=TIME_FORMAT, labelAngle=-30)),
            x2="end:T",
            y=alt.Y("alert:N", title=None, sort=alt.EncodingSortField("start", op="min")),
            color=alt.Color("severity:N", title="Alert severity",
                            scale=alt.Scale(domain=list(SEVERITY_COLORS), range=list(SEVERITY_COLORS.values()))),
            tooltip=[alt.Tooltip("alert:N"), alt.Tooltip("severity:N"), alt.Tooltip("raised:N"),
                     alt.Tooltip("cleared:N"), alt.Tooltip("peak:Q", format=","), alt.Tooltip("peak_at:N", title="peak at")],
        )
        .properties(height=max(60, 22 * periods["alert"].nunique()), width=width, title="Alert periods")
    )
    bottom = alt.layer(bars, rule)
    return alt.vconcat(top, bottom).resolve_scale(x="shared", color="independent")
