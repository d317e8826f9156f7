"""Activations: attempts per hour, failures by code, retries, requested_via, backlog projection.

Pure functions over small query results (queries/activations_*.sql); no streamlit here.
"""
from __future__ import annotations

from datetime import datetime

import altair as alt
import pandas as pd

from ..i18n import NP_, _
from .common import time_x, with_markers, word_domain, words

SERIES = {"attempts": "#7f7f7f", "successes": "#2ca02c", "failures": "#d62728"}
OUTCOMES = {"activated": "#2ca02c", "pending": "#ff7f0e", "failed": "#d62728"}
RESULTS = {"succeeded": "#2ca02c", "failed": "#d62728", "pending": "#ff7f0e"}
SERIES_WORDS = {"attempts": NP_("activation series", "attempts"), "successes": NP_("activation series", "successes"),
                "failures": NP_("activation series", "failures")}
OUTCOME_WORDS = {"activated": NP_("activation outcome", "activated"), "pending": NP_("activation outcome", "pending"),
                 "failed": NP_("activation outcome", "failed")}
RESULT_WORDS = {"succeeded": NP_("activation outcome", "succeeded"), "failed": NP_("activation outcome", "failed"),
                "pending": NP_("activation outcome", "pending")}
BACKLOG_WORDS = {"backlog": NP_("backlog series", "backlog"),
                 "projection at current pace": NP_("backlog series", "projection at current pace")}


def _hour_tooltip() -> alt.Tooltip:
    return alt.Tooltip("at:T", title=_("hour"), format="%Y-%m-%d %H:%M")


def hourly(df: pd.DataFrame, marker_df: pd.DataFrame | None) -> alt.LayerChart | alt.Chart:
    """Attempts requested, successes and failures finished per hour (query activations_hourly)."""
    lines = (
        alt.Chart(words(df, "series", SERIES_WORDS, "activation series"))
        .mark_line(interpolate="step-after", point=alt.OverlayMarkDef(size=12))
        .encode(
            x=time_x(),
            y=alt.Y("n:Q", title=_("Per hour")),
            color=alt.Color("series:N", title=_("Series"),
                            scale=alt.Scale(domain=word_domain(SERIES_WORDS, "activation series"),
                                            range=list(SERIES.values()))),
            tooltip=[_hour_tooltip(), alt.Tooltip("series:N", title=_("series")),
                     alt.Tooltip("n:Q", title=_("count"), format=",")],
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
            y=alt.Y("failed:Q", title=_("Failed attempts per hour"), stack="zero"),
            color=alt.Color("error_code:N", title=_("Error code"), scale=alt.Scale(scheme="tableau10")),
            tooltip=[_hour_tooltip(), alt.Tooltip("error_code:N", title=_("error code")),
                     alt.Tooltip("failed:Q", title=_("failed"), format=",")],
        )
    )
    return with_markers(bars, marker_df)


def attempts_per_order(df: pd.DataFrame) -> alt.Chart:
    """Orders by how many attempts they needed, coloured by outcome at T (activations_attempts_per_order)."""
    return (
        alt.Chart(words(df, "outcome", OUTCOME_WORDS, "activation outcome"))
        .mark_bar()
        .encode(
            x=alt.X("attempts:O", title=_("Attempts per order"), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("orders:Q", title=_("Orders")),
            color=alt.Color("outcome:N", title=_("Outcome at T"),
                            scale=alt.Scale(domain=word_domain(OUTCOME_WORDS, "activation outcome"),
                                            range=list(OUTCOMES.values()))),
            tooltip=[alt.Tooltip("attempts:O", title=_("attempts")), alt.Tooltip("outcome:N", title=_("outcome")),
                     alt.Tooltip("orders:Q", title=_("orders"), format=",")],
        )
    )


def by_via(df: pd.DataFrame) -> alt.Chart:
    """Attempts per requested_via split by result at T (query activations_by_via)."""
    long = df.melt(id_vars=["requested_via", "attempts", "failure_rate"], value_vars=list(RESULTS),
                   var_name="result", value_name="count")
    order = list(df.sort_values("attempts", ascending=False)["requested_via"])
    return (
        alt.Chart(words(long, "result", RESULT_WORDS, "activation outcome"))
        .mark_bar()
        .encode(
            y=alt.Y("requested_via:N", title=_("Requested via"), sort=order),
            x=alt.X("count:Q", title=_("Attempts"), stack="zero"),
            color=alt.Color("result:N", title=_("Result at T"),
                            scale=alt.Scale(domain=word_domain(RESULT_WORDS, "activation outcome"),
                                            range=list(RESULTS.values()))),
            tooltip=[alt.Tooltip("requested_via:N", title=_("requested via")),
                     alt.Tooltip("result:N", title=_("result")), alt.Tooltip("count:Q", title=_("count"), format=","),
                     alt.Tooltip("attempts:Q", title=_("all attempts"), format=","),
                     alt.Tooltip("failure_rate:Q", title=_("failure rate"), format=".1%")],
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
        alt.Chart(words(data, "series", BACKLOG_WORDS, "backlog series"))
        .mark_line()
        .encode(
            x=time_x(),
            y=alt.Y("backlog:Q", title=_("Orders not yet activated")),
            strokeDash=alt.StrokeDash("series:N", title=None,
                                      scale=alt.Scale(domain=word_domain(BACKLOG_WORDS, "backlog series"),
                                                      range=[[1, 0], [6, 4]])),
            tooltip=[alt.Tooltip("at:T", title=_("time"), format="%Y-%m-%d %H:%M"),
                     alt.Tooltip("series:N", title=_("series")),
                     alt.Tooltip("backlog:Q", title=_("orders"), format=",")],
        )
    )
    return with_markers(line, marker_df)
