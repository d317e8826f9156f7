"""Explore (SQL): the quick chart of a query result. Pure functions; no streamlit here."""
from __future__ import annotations

import altair as alt
import pandas as pd

from .common import time_x, with_markers

MAX_BARS = 50


def chartable(df: pd.DataFrame, tz) -> tuple[pd.DataFrame, str, str] | None:
    """(frame, x, y) for the quick chart: the first numeric column against the first column,
    times shown as launch-local wall-clock; None when the result has no such pair."""
    if df.empty or len(df.columns) < 2:
        return None
    x = df.columns[0]
    numeric = [c for c in df.columns[1:] if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])]
    if not numeric:
        return None
    y = numeric[0]
    data = df[[x, y]].copy()
    if isinstance(data[x].dtype, pd.DatetimeTZDtype):
        data[x] = data[x].dt.tz_convert(tz).dt.tz_localize(None)
    return data, x, y


def quick_chart(df: pd.DataFrame, tz, marker_df: pd.DataFrame | None = None):
    """A line over time when the first column is a time (with the marked moments), else bars
    for at most ``MAX_BARS`` categories; None when the result cannot be charted."""
    found = chartable(df, tz)
    if found is None:
        return None
    data, x, y = found
    # Field names may hold dots or brackets: rename for Vega-Lite and keep the titles.
    data = data.rename(columns={x: "x", y: "y"})
    tooltip = [alt.Tooltip("x", title=str(x)), alt.Tooltip("y:Q", title=str(y), format=",")]
    if pd.api.types.is_datetime64_any_dtype(data["x"]):
        tooltip[0] = alt.Tooltip("x:T", title=str(x), format="%Y-%m-%d %H:%M")
        line = (
            alt.Chart(data).mark_line(point=True)
            .encode(x=time_x("x", title=str(x)), y=alt.Y("y:Q", title=str(y)), tooltip=tooltip)
            .properties(height=340)
        )
        if marker_df is not None and not marker_df.empty and not data.empty:
            marker_df = marker_df[(marker_df["at"] >= data["x"].min()) & (marker_df["at"] <= data["x"].max())]
        return with_markers(line, marker_df)
    data = data.head(MAX_BARS).assign(x=lambda d: d["x"].astype(str))
    return (
        alt.Chart(data).mark_bar()
        .encode(x=alt.X("y:Q", title=str(y)), y=alt.Y("x:N", title=str(x), sort=None), tooltip=tooltip)
        .properties(height=90 + 26 * len(data))  # the height includes the axis (Streamlit fits the chart)
    )
