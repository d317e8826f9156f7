"""Activations: attempts per hour, failures by code, retries, requested_via, backlog projection.

Pure functions over small query results (queries/activations_*.sql); no streamlit here.
"""
from __future__ import annotations

from datetime import datetime

import altair as alt
import pandas as pd

from .common import time_x, with_markers

TIME_TOOLTIP = alt.Tooltip("at:T", title="hour", format="%Y-%m-%d %H:%M")
SERIES = {"attempts": "#7f7f7f", "successes": "#2ca02c", "failures": "#d62728"}
OUTCOMES = {"activated": "#2ca02c", "pending": "#ff7f0e", "failed": "#d62728"}
RESULTS = {"succeeded": "#2ca02c", "failed": "#d62728", "pending": "#ff7f0e"}


def hourly(df: pd.DataFrame, marker_df: pd.DataFrame | None) -> alt.LayerChart | alt.Chart:
    """Attempts requested, successes and failures finished per hour (query activations_hourly)."""
    lines = (
        alt.Chart(df)
        .mark_line(interpolate="step-after", point=alt.OverlayMarkDef(size=12))
        .encode(
            x=time_x(),
            y=alt.Y("n:Q", title="Per hour"),
            color=alt.Color("series:N", title="Series",
                            scale=alt.Scale(domain=list(SERIES), range=list(SERIES.values()))),
            tooltip=[TIME_TOOLTIP, alt.Tooltip("series:N"), alt.Tooltip("n:Q", title="count", format=",")],
        )
    )
    return with_markers(lines, marker_df)


def failures_by_code(df: pd.DataFrame, marker_df: pd.DataFrame | None) -> alt.LayerChart | alt.Chart:
    """Failed attempts per hour stacked by error code (query activations_failures_by_code_hourly)."""
    bars = (
        alt.Chart(df.assign(end=df["at"] + pd.Timedelta(hours=1)))
        .mark_bar(orient="vertical", stroke="white", strokeWidth=0.3)
        .encode(
            x=time_x(),
            x2="end:T",
            y=alt.Y("failed:Q", title="Failed attempts per hour", stack="zero"),
            color=alt.Color("error_code:N", title="Error code", scale=alt.Scale(scheme="tableau10")),
            tooltip=[TIME_TOOLTIP, alt.Tooltip("error_code:N", title="error code"),
                     alt.Tooltip("failed:Q", format=",")],
        )
    )
    return with_markers(bars, marker_df)


def attempts_per_order(df: pd.DataFrame) -> alt.Chart:
    """Orders by how many attempts they needed, coloured by outcome at T (activations_attempts_per_order)."""
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=alt.X("attempts:O", title="Attempts per order", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("orders:Q", title="Orders"),
            color=alt.Color("outcome:N", title="Outcome at T",
                            scale=alt.Scale(domain=list(OUTCOMES), range=list(OUTCOMES.values()))),
            tooltip=[alt.Tooltip("attempts:O", title="attempts"), alt.Tooltip("outcome:N"),
                     alt.Tooltip("orders:Q", format=",")],
        )
    )


def by_via(df: pd.DataFrame) -> alt.Chart:
    """Attempts per requested_via split by result at T (query activations_by_via)."""
    long = df.melt(id_vars=["requested_via", "attempts", "failure_rate"], value_vars=list(RESULTS),
                   var_name="result", value_name="count")
    order = list(df.sort_values("attempts", ascending=False)["requested_via"])
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("requested_via:N", title="Requested via", sort=order),
            x=alt.X("count:Q", title="Attempts", stack="zero"),
            color=alt.Color("result:N", title="Result at T",
                            scale=alt.Scale(domain=list(RESULTS), range=list(RESULTS.values()))),
            tooltip=[alt.Tooltip("requested_via:N", title="requested via"), alt.Tooltip("result:N"),
                     alt.Tooltip("count:Q", format=","), alt.Tooltip("attempts:Q", title="all attempts", format=","),
                     alt.Tooltip("failure_rate:Q", title="failure rate", format=".1%")],
        )
    )


def projection_frame(as_of_local: datetime, backlog: int, clears_at: datetime | None) -> pd.DataFrame:
    """The straight line from the backlog now to zero at the projected clearance (empty: never clears)."""
    if backlog == 0 or clears_at is None or pd.isna(clears_at):
        return pd.DataFrame({"at": pd.Series(dtype="datetime64[ns]"), "backlog": pd.Series(dtype="int64")})
    return pd.DataFrame({"at": pd.to_datetime([as_of_local, clears_at]), "backlog": [backlog, 0]})


def backlog(history: pd.DataFrame, projection: pd.DataFrame, marker_df: pd.DataFrame | None
            ) -> alt.LayerChart | alt.Chart:
    """Orders neither activated nor cancelled over time (activations_backlog_hourly), with the
    dashed projection to zero at the current pace (projection_frame)."""
    data = pd.concat([history.assign(series="backlog"), projection.assign(series="projection at current pace")],
                     ignore_index=True)
    line = (
        alt.Chart(data)
        .mark_line()
        .encode(
            x=time_x(),
            y=alt.Y("backlog:Q", title="Orders not yet activated"),
            strokeDash=alt.StrokeDash("series:N", title=None,
                                      scale=alt.Scale(domain=["backlog", "projection at current pace"],
                                                      range=[[1, 0], [6, 4]])),
            tooltip=[alt.Tooltip("at:T", title="time", format="%Y-%m-%d %H:%M"), alt.Tooltip("series:N"),
                     alt.Tooltip("backlog:Q", title="orders", format=",")],
        )
    )
    return with_markers(line, marker_df)
