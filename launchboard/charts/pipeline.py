"""Pipeline & bottlenecks: work in progress, dwell times, couriers and hubs, promises, allocation.

Pure functions over small query results (queries/pipeline_*.sql); no streamlit here.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from ..i18n import _, stage, transition
from .common import TIME_FORMAT, time_x, with_markers
from .status import STAGE_COLORS, complete_stages, stage_domain, stage_words

# Stages in which an order is still moving through the pipeline (work in progress).
WIP_STAGES = ("reserved", "allocated", "packed", "in_transit", "activation_pending")
LABELS = alt.Axis(labelLimit=220)  # category labels (hubs, transitions, skus) shown in full


def _time_tooltip() -> alt.Tooltip:
    return alt.Tooltip("at:T", title=_("time"), format="%Y-%m-%d %H:%M")


def _dimension(name: str) -> str:
    return {"region": _("Region"), "courier": _("Courier"), "hub": _("Hub")}.get(name, name.capitalize())


def wip_over_time(df: pd.DataFrame, marker_df: pd.DataFrame | None) -> alt.LayerChart | alt.Chart:
    """Orders in each work-in-progress stage at each bucket time (query status_stages_over_time)."""
    data = stage_words(complete_stages(df[df["stage"].isin(WIP_STAGES)], WIP_STAGES))
    lines = (
        alt.Chart(data)
        .mark_line(interpolate="monotone")
        .encode(
            x=time_x(),
            y=alt.Y("orders:Q", title=_("Orders in stage")),
            color=alt.Color("stage:N", sort=stage_domain(WIP_STAGES), title=_("Stage"),
                            scale=alt.Scale(domain=stage_domain(WIP_STAGES),
                                            range=[STAGE_COLORS[s] for s in WIP_STAGES])),
            tooltip=[_time_tooltip(), alt.Tooltip("stage:N", title=_("stage")),
                     alt.Tooltip("orders:Q", title=_("orders"), format=",")],
        )
    )
    return with_markers(lines, marker_df)


def dwell_chart(df: pd.DataFrame) -> alt.LayerChart:
    """Median (bar) and p90 (tick) hours per stage transition, slowest first (query pipeline_dwell)."""
    df = df.assign(transition=df["transition"].map(transition))
    order = list(df.sort_values(["median_hours", "pos"], ascending=[False, True])["transition"])
    tooltip = [alt.Tooltip("transition:N", title=_("transition")),
               alt.Tooltip("orders:Q", title=_("orders"), format=","),
               alt.Tooltip("median_hours:Q", title=_("median hours"), format=".1f"),
               alt.Tooltip("p90_hours:Q", title=_("p90 hours"), format=".1f")]
    base = alt.Chart(df).encode(y=alt.Y("transition:N", sort=order, title=None, axis=LABELS), tooltip=tooltip)
    median = base.mark_bar(color="#3182bd").encode(
        x=alt.X("median_hours:Q", title=_("Hours (bar: median, tick: p90)")))
    p90 = base.mark_tick(color="#d62728", thickness=3, size=18).encode(x=alt.X("p90_hours:Q"))
    return alt.layer(median, p90).properties(height=alt.Step(28))


def pickups_chart(df: pd.DataFrame, marker_df: pd.DataFrame | None) -> alt.LayerChart | alt.Chart:
    """Pickups per courier per bucket, stacked bars (query pipeline_pickups)."""
    bars = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            # one bar per launch-local hour (bars fill their time unit)
            x=alt.X("at:T", timeUnit="yearmonthdatehours", title=_("Launch time"),
                    axis=alt.Axis(format=TIME_FORMAT, labelAngle=-30)),
            y=alt.Y("pickups:Q", stack="zero", title=_("Pickups per bucket")),
            color=alt.Color("courier:N", title=_("Courier"), scale=alt.Scale(scheme="tableau10")),
            tooltip=[_time_tooltip(), alt.Tooltip("bucket_hours:Q", title=_("bucket (h)")),
                     alt.Tooltip("courier:N", title=_("courier")), alt.Tooltip("pickups:Q", title=_("pickups"), format=",")],
        )
    )
    return with_markers(bars, marker_df)


def hub_heatmap(df: pd.DataFrame, marker_df: pd.DataFrame | None) -> alt.LayerChart | alt.Chart:
    """Orders sitting at each hub per hour, hub × time cells (query pipeline_hub_hours)."""
    cells = (
        alt.Chart(df)
        .mark_rect()
        .encode(
            x=time_x("at_start"),
            x2=alt.X2("at"),
            y=alt.Y("hub:N", title=_("Hub"), axis=LABELS, scale=alt.Scale(paddingInner=0.05)),
            color=alt.Color("orders:Q", title=_("Orders at hub"), scale=alt.Scale(scheme="orangered")),
            tooltip=[alt.Tooltip("hub:N", title=_("hub")), _time_tooltip(),
                     alt.Tooltip("orders:Q", title=_("orders"), format=","),
                     alt.Tooltip("oldest_hours:Q", title=_("oldest scan (h ago)"), format=".1f")],
        )
    )
    # one 32 px row per hub; legends below so that a few hubs still leave them room
    return with_markers(cells, marker_df).properties(height=alt.Step(32)).configure_legend(orient="bottom", columns=2)


def promise_late_chart(df: pd.DataFrame, dimension: str) -> alt.Chart:
    """Orders late against their delivery promise for one dimension (region, courier or hub)."""
    data = df[df["dimension"] == dimension].copy()
    data["late_rate"] = data["late"] / data["due"]
    return (
        alt.Chart(data)
        .mark_bar(color="#d62728")
        .encode(
            y=alt.Y("value:N", sort="-x", title=_dimension(dimension), axis=LABELS),
            x=alt.X("late:Q", title=_("Orders late")),
            tooltip=[alt.Tooltip("value:N", title=_dimension(dimension)),
                     alt.Tooltip("late:Q", title=_("late"), format=","),
                     alt.Tooltip("due:Q", title=_("promise due"), format=","),
                     alt.Tooltip("late_rate:Q", title=_("late share"), format=".1%")],
        )
    )


def allocation_queue_chart(df: pd.DataFrame) -> alt.Chart:
    """Orders waiting for stock (reserved) and allocated, not yet packed, per sku."""
    data = stage_words(df.melt(id_vars="sku", value_vars=["reserved", "allocated"], var_name="stage",
                               value_name="orders"))
    both = [stage("reserved"), stage("allocated")]
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("sku:N", sort=list(df["sku"]), title=_("SKU"), axis=LABELS),
            x=alt.X("orders:Q", stack="zero", title=_("Orders")),
            color=alt.Color("stage:N", title=_("Stage"), sort=both,
                            scale=alt.Scale(domain=both,
                                            range=[STAGE_COLORS["reserved"], STAGE_COLORS["allocated"]])),
            tooltip=[alt.Tooltip("sku:N", title=_("sku")), alt.Tooltip("stage:N", title=_("stage")),
                     alt.Tooltip("orders:Q", title=_("orders"), format=",")],
        )
    )
