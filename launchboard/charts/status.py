"""Launch status: KPI tiles, the stage funnel, orders per stage over time, feed freshness.

Pure functions over the report dict (spec 5) and small query results; no streamlit here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import altair as alt
import pandas as pd

from launchboard.i18n import _, num, pct, stage
from launchboard.schema import STAGES

from .common import time_x, with_markers

# One colour per stage, in pipeline order (waiting → moving → done; failures in warm colours).
STAGE_COLORS = {
    "reserved": "#c7c7c7", "allocated": "#9ecae1", "packed": "#6baed6", "in_transit": "#3182bd",
    "delivered": "#74c476", "returned": "#fd8d3c", "activation_pending": "#fdd0a2",
    "activation_failed": "#d62728", "activated": "#238b45", "cancelled": "#7f7f7f",
}


@dataclass(frozen=True)
class Tile:
    label: str
    value: str
    delta: str | None  # change against one hour earlier ("0" when none), None when either side is n/a
    delta_color: str  # st.metric: "normal" (up is good) or "inverse" (up is bad)
    help: str


def _lost_rate(calls: dict) -> float | None:
    return None if not calls["offered"] else (calls["abandoned"] + calls["rejected"]) / calls["offered"]


def _count_tile(label: str, now: int, before: int, *, up_is_bad: bool = False, help: str) -> Tile:
    change = now - before
    return Tile(label, num(now), num(change, sign=True) if change else "0", "inverse" if up_is_bad else "normal",
                help)


def _rate_tile(label: str, now: float | None, before: float | None, help: str) -> Tile:
    value = pct(now)
    delta = None
    if now is not None and before is not None:
        points = round((now - before) * 100, 1)
        # "0": st.metric shows no arrow
        delta = _("{points} pp").format(points=num(points, 1, sign=True)) if points else "0"
    return Tile(label, value, delta, "inverse", help)


def kpi_tiles(now: dict, hour_ago: dict) -> list[Tile]:
    """The six headline figures of the report at T, each with its change since T - 1 h."""
    o, o1 = now["orders"], hour_ago["orders"]
    return [
        _count_tile(_("Orders"), o["total"], o1["total"], help=_("Pre-orders placed by T (cancelled included).")),
        _count_tile(_("Delivered"), o["by_stage"]["delivered"], o1["by_stage"]["delivered"],
                    help=_("Orders in stage delivered at T (delivered, not yet in activation).")),
        _count_tile(_("Activated"), o["by_stage"]["activated"], o1["by_stage"]["activated"],
                    help=_("Orders with a successful activation by T.")),
        _rate_tile(_("Activation failure rate"), now["activations"]["failure_rate"],
                   hour_ago["activations"]["failure_rate"],
                   _("Failed / (succeeded + failed) of attempts finished by T.")),
        _rate_tile(_("Abandon + reject rate"), _lost_rate(now["calls"]), _lost_rate(hour_ago["calls"]),
                   _("(Abandoned + rejected) / offered calls ended by T.")),
        _count_tile(_("Message errors"), now["messages"]["failed"], hour_ago["messages"]["failed"], up_is_bad=True,
                    help=_("Messages sent by T with delivery status failed.")),
    ]


def marks_until(marker_df: pd.DataFrame, as_of: datetime, tz, ahead_hours: float = 24) -> pd.DataFrame:
    """The marked moments up to ``ahead_hours`` after T: the coming deadlines stay visible
    without a replay of an early moment being squeezed by deadlines days later."""
    limit = pd.Timestamp(as_of.astimezone(tz).replace(tzinfo=None) + timedelta(hours=ahead_hours))
    return marker_df[marker_df["at"] <= limit]


def stage_funnel(by_stage: dict[str, int]) -> alt.Chart:
    """Orders per stage at T, one bar per stage in pipeline order."""
    words = [stage(s) for s in STAGES]
    df = pd.DataFrame({"stage": words, "orders": [by_stage.get(s, 0) for s in STAGES]})
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=alt.Y("stage:N", sort=words, title=None),
            x=alt.X("orders:Q", title=_("Orders")),
            color=alt.Color("stage:N", legend=None,
                            scale=alt.Scale(domain=stage_domain(), range=list(STAGE_COLORS.values()))),
            tooltip=[alt.Tooltip("stage:N", title=_("stage")), alt.Tooltip("orders:Q", title=_("orders"), format=",")],
        )
    )


def stage_domain(stages=STAGE_COLORS) -> list[str]:
    """Stages as the charts show them (a colour scale's domain, in pipeline order)."""
    return [stage(s) for s in stages]


def stage_words(df: pd.DataFrame, column: str = "stage") -> pd.DataFrame:
    """``df`` with its stage column in the reader's words."""
    return df.assign(**{column: df[column].map(stage)}) if not df.empty else df


def complete_stages(df: pd.DataFrame, stages: tuple[str, ...] = STAGES) -> pd.DataFrame:
    """Every (at, stage) pair with a count (zero when absent), so areas and lines do not skip;
    ``order`` is the stage's position in the pipeline (stacking order)."""
    if df.empty:
        return pd.DataFrame({"at": pd.Series(dtype="datetime64[us]"), "stage": pd.Series(dtype=str),
                             "orders": pd.Series(dtype=int), "order": pd.Series(dtype=int)})
    wide = df.pivot_table(index="at", columns="stage", values="orders", aggfunc="sum", fill_value=0)
    wide = wide.reindex(columns=list(stages), fill_value=0)
    out = wide.reset_index().melt(id_vars="at", var_name="stage", value_name="orders")
    out["orders"] = out["orders"].astype(int)
    out["order"] = out["stage"].map(stages.index)
    return out.sort_values(["at", "order"]).reset_index(drop=True)


def stages_over_time(df: pd.DataFrame, marker_df: pd.DataFrame | None) -> alt.LayerChart | alt.Chart:
    """Stacked area of orders per stage at each bucket time (query status_stages_over_time)."""
    data = stage_words(complete_stages(df))
    area = (
        alt.Chart(data)
        .mark_area()
        .encode(
            x=time_x(),
            y=alt.Y("orders:Q", stack="zero", title=_("Orders")),
            color=alt.Color("stage:N", sort=stage_domain(STAGES), title=_("Stage"),
                            scale=alt.Scale(domain=stage_domain(), range=list(STAGE_COLORS.values()))),
            order=alt.Order("order:Q"),
            tooltip=[alt.Tooltip("at:T", title=_("time"), format="%Y-%m-%d %H:%M"),
                     alt.Tooltip("stage:N", title=_("stage")), alt.Tooltip("orders:Q", title=_("orders"), format=",")],
        )
    )
    return with_markers(area, marker_df)


def freshness_table(df: pd.DataFrame, *, now: datetime, stale_minutes: float, live: bool) -> pd.DataFrame:
    """Feed freshness per table (query status_freshness) with a status for each feed.

    The stale warning compares the newest file arrival with the wall clock ``now`` and is
    only given while live; a table without any file is "no file yet".
    """
    limit = timedelta(minutes=stale_minutes)
    rows = []
    for r in df.itertuples(index=False):
        newest = None if pd.isna(r.newest_file_at) else pd.Timestamp(r.newest_file_at).to_pydatetime()
        if newest is None:
            status = _("no file yet")
        elif live and now - newest > limit:
            status = _("stale: no file for {minutes} min").format(
                minutes=num(int((now - newest).total_seconds() // 60)))
        else:
            status = _("ok")
        rows.append({"table": r.table_name, "files": int(r.files), "newest file arrived": r.newest_file_at,
                     "newest event": r.newest_event_at, "status": status})
    return pd.DataFrame(rows, columns=["table", "files", "newest file arrived", "newest event", "status"])
