"""Incident review: one launch timeline with the hourly series, marked moments, alert periods
and the replay moment. Pure functions over small frames; no streamlit here."""
from __future__ import annotations

from datetime import datetime

import altair as alt
import pandas as pd

from launchboard.i18n import NP_, _, alert_subject, severity
from launchboard.review import AlertPeriod

from .common import TIME_FORMAT, time_x, with_markers, word_domain, words

SERIES_COLORS = {
    "orders delivered": "#2ca02c",
    "orders activated": "#17becf",
    "activation attempts failed": "#d62728",
}
SERIES_WORDS = {"orders delivered": NP_("review series", "orders delivered"),
                "orders activated": NP_("review series", "orders activated"),
                "activation attempts failed": NP_("review series", "activation attempts failed")}
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
            "alert": p.kind + (f" · {alert_subject(p.kind, p.subject)}" if p.subject else ""),
            "severity": severity(p.severity),
            "start": local(p.raised_at, tz),
            "end": local(p.cleared_at if p.cleared_at is not None else until, tz),
            "raised": local(p.raised_at, tz).strftime("%Y-%m-%d %H:%M"),
            "cleared": local(p.cleared_at, tz).strftime("%Y-%m-%d %H:%M") if p.cleared_at else _("still raised"),
            "peak": p.peak,
            "peak_at": local(p.peak_at, tz).strftime("%Y-%m-%d %H:%M"),
        })
    return pd.DataFrame(rows, columns=["alert", "severity", "start", "end", "raised", "cleared", "peak", "peak_at"])


AXIS_EXTENT = 210  # px left of both plots, so the series and the alert periods line up
# Heights include legend, title and axis labels (Streamlit fits the whole chart into them).


def _scale(domain: tuple[pd.Timestamp, pd.Timestamp]) -> alt.Scale:
    return alt.Scale(domain=[_datetime(domain[0]), _datetime(domain[1])])


def _width(width: int | None) -> dict:
    """A fixed width, or none: then the page's full width."""
    return {} if width is None else {"width": width}


def _moment_rule(moment: pd.Timestamp, scale: alt.Scale) -> alt.Chart:
    rule_df = pd.DataFrame({"at": [moment], "label": [_("replay moment {moment}").format(
        moment=moment.strftime("%Y-%m-%d %H:%M"))]})
    return alt.Chart(rule_df).mark_rule(color=MOMENT_COLOR, strokeWidth=2).encode(
        x=alt.X("at:T", scale=scale), tooltip=[alt.Tooltip("label:N", title=_("moment"))])


def series_chart(hourly: pd.DataFrame, marker_df: pd.DataFrame | None, moment: pd.Timestamp,
                 domain: tuple[pd.Timestamp, pd.Timestamp], *, width: int | None = None):
    """Hourly series (columns at, series, n) with the marked moments within ``domain`` and a
    solid rule at the replay moment, on a launch-time axis spanning ``domain``."""
    scale = _scale(domain)
    x = time_x()
    x.scale = scale
    series = (
        alt.Chart(words(hourly, "series", SERIES_WORDS, "review series"))
        .mark_line(point=alt.OverlayMarkDef(size=18), interpolate="monotone")
        .encode(
            x=x,
            y=alt.Y("n:Q", title=None, axis=alt.Axis(minExtent=AXIS_EXTENT)),
            color=alt.Color("series:N", title=_("Series"),
                            scale=alt.Scale(domain=word_domain(SERIES_WORDS, "review series"),
                                            range=list(SERIES_COLORS.values()))),
            tooltip=[alt.Tooltip("at:T", title=_("hour"), format="%Y-%m-%d %H:%M"),
                     alt.Tooltip("series:N", title=_("series")), alt.Tooltip("n:Q", title=_("count"), format=",")],
        )
    )
    if marker_df is not None and not marker_df.empty:
        marker_df = marker_df[(marker_df["at"] >= domain[0]) & (marker_df["at"] <= domain[1])]
    return alt.layer(with_markers(series, marker_df), _moment_rule(moment, scale)).properties(
        height=400, title=_("Orders delivered, orders activated and activation attempts failed, per hour"),
        **_width(width))


def periods_chart(periods: pd.DataFrame, moment: pd.Timestamp, domain: tuple[pd.Timestamp, pd.Timestamp], *,
                  width: int | None = None):
    """One bar per alert period (from ``periods_frame``) from raised to cleared, on the same axis."""
    scale = _scale(domain)
    bars = (
        alt.Chart(periods)
        .mark_bar(height=14, cornerRadius=2)
        .encode(
            x=alt.X("start:T", scale=scale, title=_("Launch time"), axis=alt.Axis(format=TIME_FORMAT, labelAngle=-30)),
            x2="end:T",
            y=alt.Y("alert:N", title=None, sort=alt.EncodingSortField("start", op="min"),
                    axis=alt.Axis(minExtent=AXIS_EXTENT, labelLimit=AXIS_EXTENT - 10)),
            color=alt.Color("severity:N", title=_("Alert severity"),
                            scale=alt.Scale(domain=[severity(s) for s in SEVERITY_COLORS],
                                            range=list(SEVERITY_COLORS.values()))),
            tooltip=[alt.Tooltip("alert:N", title=_("alert")), alt.Tooltip("severity:N", title=_("severity")),
                     alt.Tooltip("raised:N", title=_("raised")), alt.Tooltip("cleared:N", title=_("cleared")),
                     alt.Tooltip("peak:Q", title=_("peak"), format=","),
                     alt.Tooltip("peak_at:N", title=_("peak at"))],
        )
    )
    return alt.layer(bars, _moment_rule(moment, scale)).properties(
        height=190 + 28 * periods["alert"].nunique(), title=_("Alert periods (from raised to cleared)"),
        **_width(width))


def timeline(hourly: pd.DataFrame, marker_df: pd.DataFrame | None, periods: pd.DataFrame,
             moment: pd.Timestamp, domain: tuple[pd.Timestamp, pd.Timestamp], *, width: int = 760):
    """The series over the alert periods in one figure of fixed width (for the exported report)."""
    top = series_chart(hourly, marker_df, moment, domain, width=width)
    if periods.empty:
        return top
    return alt.vconcat(top, periods_chart(periods, moment, domain, width=width)).resolve_scale(
        x="shared", color="independent")


def legend_on_top(chart):
    """Legends above the plot, so stacked charts of the same width keep the same plot width."""
    return chart.configure_legend(orient="top", direction="horizontal", titleOrient="left", columns=5)
