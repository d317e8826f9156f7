"""Call centre: traffic per 15 minutes, service level and ASA, waits, reasons, staffing.

Pure functions over small query results (queries/calls_*.sql); no streamlit here.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from ..i18n import NP_, _, stage
from ..schema import STAGES
from .common import BATCH_KINDS, marker_names, time_x, with_markers, word_domain, words
from .status import stage_words

# batches under the call series: none of the series' grey, green, orange or red
BATCH_COLORS = ["#4e79a7", "#b07aa1", "#76b7b2", "#9c755f", "#edc948", "#bab0ac", "#17becf", "#8c6d31"]
SERIES = {"offered": "#7f7f7f", "answered": "#2ca02c", "abandoned": "#ff7f0e", "rejected": "#d62728"}
STAFF = {"agents needed (Erlang C)": "#d62728", "agents answering": "#1f77b4"}
SERIES_WORDS = {"offered": NP_("call series", "offered"), "answered": NP_("call series", "answered"),
                "abandoned": NP_("call series", "abandoned"), "rejected": NP_("call series", "rejected")}
STAFF_WORDS = {"agents needed (Erlang C)": NP_("staffing", "agents needed (Erlang C)"),
               "agents answering": NP_("staffing", "agents answering")}
WAIT_WORDS = {"answered": NP_("call series", "answered"), "abandoned": NP_("call series", "abandoned")}


def _hour_tooltip() -> alt.Tooltip:
    return alt.Tooltip("at:T", title=_("hour"), format="%Y-%m-%d %H:%M")


def per_15min(df: pd.DataFrame, marker_df: pd.DataFrame | None,
              traced: pd.DataFrame | None = None) -> alt.LayerChart | alt.Chart:
    """Offered, answered, abandoned and rejected calls per quarter hour (query calls_per_15min),
    over bars of the calls traced to each message batch (query calls_traced_per_15min, stacked by
    batch), with the marked moments and each batch's id written up its rule."""
    y = alt.Y("calls:Q", title=_("Calls per 15 min"))
    lines = (
        alt.Chart(words(df, "series", SERIES_WORDS, "call series"))
        .mark_line(interpolate="step-after")
        .encode(
            x=time_x(),
            y=y,
            color=alt.Color("series:N", title=_("Calls"),
                            scale=alt.Scale(domain=word_domain(SERIES_WORDS, "call series"),
                                            range=list(SERIES.values()))),
            tooltip=[alt.Tooltip("at:T", title=_("quarter from"), format="%Y-%m-%d %H:%M"),
                     alt.Tooltip("series:N", title=_("series")), alt.Tooltip("calls:Q", title=_("calls"), format=",")],
        )
    )
    chart: alt.Chart | alt.LayerChart = lines
    if traced is not None and not traced.empty:
        bars = (
            alt.Chart(traced.assign(end=traced["at"] + pd.Timedelta(minutes=15)))
            .mark_bar(orient="vertical", opacity=0.65)
            .encode(
                x=time_x(), x2="end:T", y=alt.Y("calls:Q", title=_("Calls per 15 min"), stack="zero"),
                color=alt.Color("batch:N", title=_("Traced to batch"), scale=alt.Scale(range=BATCH_COLORS)),
                tooltip=[alt.Tooltip("at:T", title=_("quarter from"), format="%Y-%m-%d %H:%M"),
                         alt.Tooltip("batch:N", title=_("traced to batch")),
                         alt.Tooltip("calls:Q", title=_("calls"), format=",")],
            )
        )
        chart = alt.layer(bars, lines).resolve_scale(color="independent")
    if marker_df is None or marker_df.empty:
        return chart
    names = marker_df[marker_df["kind"].isin(BATCH_KINDS)]
    marked = with_markers(chart, marker_df)
    return alt.layer(marked, marker_names(names)) if not names.empty else marked


def _service_tooltip() -> list[alt.Tooltip]:
    return [_hour_tooltip(), alt.Tooltip("offered:Q", title=_("offered"), format=","),
            alt.Tooltip("answered:Q", title=_("answered"), format=","),
            alt.Tooltip("within_target:Q", title=_("answered within target"), format=","),
            alt.Tooltip("service_level:Q", title=_("service level"), format=".1%"),
            alt.Tooltip("asa_seconds:Q", title=_("ASA (s)"), format=".0f"),
            alt.Tooltip("no_info:Q", title=_("no_info"), format=",")]


def service_level(df: pd.DataFrame, target_level: float, target_seconds: float,
                  marker_df: pd.DataFrame | None) -> alt.LayerChart | alt.Chart:
    """Service level per hour (query calls_service_hourly) against the target level."""
    line = (
        alt.Chart(df)
        .mark_line(point=alt.OverlayMarkDef(size=14), color="#1f77b4")
        .encode(x=time_x(),
                y=alt.Y("service_level:Q", title=_("Answered within {seconds} s / offered").format(
                    seconds=f"{target_seconds:g}"),
                        axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
                tooltip=_service_tooltip())
    )
    target = (
        alt.Chart(pd.DataFrame({"target": [target_level]}))
        .mark_rule(color="#2ca02c", strokeDash=[2, 2])
        .encode(y="target:Q", tooltip=[alt.Tooltip("target:Q", title=_("target"), format=".0%")])
    )
    return with_markers(alt.layer(line, target), marker_df)


def asa(df: pd.DataFrame, marker_df: pd.DataFrame | None) -> alt.LayerChart | alt.Chart:
    """Average speed of answer per hour in seconds (query calls_service_hourly)."""
    line = (
        alt.Chart(df)
        .mark_line(point=alt.OverlayMarkDef(size=14, color="#9467bd"), color="#9467bd")
        .encode(x=time_x(), y=alt.Y("asa_seconds:Q", title=_("ASA (seconds)")), tooltip=_service_tooltip())
    )
    return with_markers(line, marker_df)


def wait_histogram(df: pd.DataFrame, bin_seconds: int, target_seconds: float) -> alt.LayerChart:
    """Calls per wait bin (query calls_wait_histogram), with the service-level target as a rule.
    The last bin is open-ended (to_seconds null): it is drawn one bin wide and labelled 'or more'."""
    data = words(df, "kind", WAIT_WORDS, "call series").assign(
        to_plot=df["to_seconds"].fillna(df["from_seconds"] + bin_seconds),
        range=[_("{start}–{end} s").format(start=int(a), end=int(b)) if pd.notna(b) else
               _("{start} s or more").format(start=int(a))
               for a, b in zip(df["from_seconds"], df["to_seconds"])],
    )
    bars = (
        alt.Chart(data)
        .mark_bar(opacity=0.8, orient="vertical", stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X("from_seconds:Q", title=_("Seconds waiting (last bar: that long or more)"),
                    scale=alt.Scale(domain=[0, float(data["to_plot"].max())], nice=False)),
            x2="to_plot:Q",
            y=alt.Y("calls:Q", title=_("Calls"), stack="zero"),
            color=alt.Color("kind:N", title=None, scale=alt.Scale(range=["#ff7f0e", "#2ca02c"]),
                            legend=alt.Legend(orient="top")),
            tooltip=[alt.Tooltip("kind:N", title=_("call")), alt.Tooltip("range:N", title=_("wait")),
                     alt.Tooltip("calls:Q", title=_("calls"), format=",")],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"target": [target_seconds]}))
        .mark_rule(color="#1f77b4", strokeDash=[4, 3], strokeWidth=2)
        .encode(x="target:Q", tooltip=[alt.Tooltip("target:Q", title=_("service-level target (s)"))])
    )
    return alt.layer(bars, rule)


def reason_stage(df: pd.DataFrame) -> alt.LayerChart:
    """Calls by reason × the caller's order stage at call time (query calls_reason_stage)."""
    stages = [s for s in (*STAGES, "unknown") if s in set(df["stage"])]
    reasons = list(df.groupby("reason")["calls"].sum().sort_values(ascending=False).index)
    base = alt.Chart(stage_words(df)).encode(
        x=alt.X("stage:N", title=_("Caller's order stage at call time"), sort=[stage(x) for x in stages],
                axis=alt.Axis(labelAngle=-30, labelOverlap=False)),
        y=alt.Y("reason:N", title=_("Reason"), sort=reasons),
        tooltip=[alt.Tooltip("reason:N", title=_("reason")), alt.Tooltip("stage:N", title=_("stage")),
                 alt.Tooltip("calls:Q", title=_("calls"), format=",")],
    )
    cells = base.mark_rect(stroke="white").encode(color=alt.Color("calls:Q", title=_("Calls"),
                                                                  scale=alt.Scale(scheme="blues")))
    dark = float(df["calls"].max()) * 0.5
    text = base.mark_text(fontSize=11).encode(
        text=alt.Text("calls:Q", format=","),
        color=alt.condition(alt.datum.calls > dark, alt.value("white"), alt.value("black")),
    )
    return alt.layer(cells, text).properties(height=34 * len(reasons))


def repeat_callers(df: pd.DataFrame) -> alt.Chart:
    """Known callers by number of calls (query calls_repeat_distribution)."""
    return (
        alt.Chart(df)
        .mark_bar(color="#1f77b4")
        .encode(
            x=alt.X("calls_per_customer:O", title=_("Calls per customer"), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("customers:Q", title=_("Customers")),
            tooltip=[alt.Tooltip("calls_per_customer:O", title=_("calls per customer")),
                     alt.Tooltip("customers:Q", title=_("customers"), format=","),
                     alt.Tooltip("no_info_calls:Q", title=_("no_info answers among them"), format=",")],
        )
    )


def staffing(df: pd.DataFrame, marker_df: pd.DataFrame | None) -> alt.LayerChart | alt.Chart:
    """Agents needed by Erlang C against agents answering, per hour (calls_staffing rows with
    an agents_needed column added by the page)."""
    long = df.melt(id_vars=["at", "calls", "calls_per_hour", "handle_seconds"],
                   value_vars=["agents_needed", "agents_answering"], var_name="series", value_name="agents")
    long["series"] = long["series"].map({"agents_needed": "agents needed (Erlang C)",
                                         "agents_answering": "agents answering"})
    lines = (
        alt.Chart(words(long, "series", STAFF_WORDS, "staffing"))
        .mark_line(point=alt.OverlayMarkDef(size=14))
        .encode(
            x=time_x(),
            y=alt.Y("agents:Q", title=_("Agents")),
            color=alt.Color("series:N", title=None,
                            scale=alt.Scale(domain=word_domain(STAFF_WORDS, "staffing"), range=list(STAFF.values()))),
            tooltip=[_hour_tooltip(), alt.Tooltip("series:N", title=_("series")),
                     alt.Tooltip("agents:Q", title=_("agents"), format=","),
                     alt.Tooltip("calls:Q", title=_("calls arrived"), format=","),
                     alt.Tooltip("calls_per_hour:Q", title=_("calls per hour"), format=",.0f"),
                     alt.Tooltip("handle_seconds:Q", title=_("mean handle time (s)"), format=".0f")],
        )
    )
    return with_markers(lines, marker_df)
