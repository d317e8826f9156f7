"""Small display pieces the pages share."""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pandas as pd
import streamlit as st

from launchboard.charts.status import kpi_tiles

from . import auth, state


def download(label: str, make: Callable[[], str | bytes], name: str, mime: str, *, key: str, where=st,
             icon: str | None = None) -> None:
    """A download button whose file is made when it is clicked (deferred ``data``), and recorded
    in the access log then (who, which file, from which page).

    Made on click: a live page re-runs every few seconds, and a file made on every run would be
    stored, fetched by every open browser and replaced each time (a browser could then ask for
    the replaced file and get a 404)."""
    who = auth.who()  # the click is served off the page: capture the user now

    def logged():
        who.record("download", target=name, detail=label)
        return make()

    where.download_button(label, logged, name, mime, key=key, icon=icon)


def csv_download(df: pd.DataFrame, name: str, key: str, label: str = "Download (CSV)", *, where=st,
                 icon: str | None = None) -> None:
    """A CSV download of a table as shown (every table on every page has one)."""
    download(label, lambda: df.to_csv(index=False), name, "text/csv", key=key, where=where, icon=icon)


def show_table(df: pd.DataFrame, name: str, key: str) -> None:
    """A table with its CSV download; widget keys are ``<key>_table`` and ``<key>_csv``."""
    st.dataframe(df, hide_index=True, key=key + "_table")
    csv_download(df, name, key + "_csv")


def impact_columns(window_hours: float) -> dict:
    """Column labels and formats of the calls-by-batch table (charts.messages.impact_frame)."""
    return {
        "rank": st.column_config.NumberColumn("Rank", width="small"),
        "batch_id": "Batch", "template": "Template",
        "first_sent": st.column_config.DatetimeColumn("First sent", format="YYYY-MM-DD HH:mm"),
        "customers_reached": st.column_config.NumberColumn("Customers reached", format="localized"),
        "calls": st.column_config.NumberColumn(f"Calls within {window_hours:g} h", format="localized"),
        "baseline": st.column_config.NumberColumn("Baseline", format="%.1f"),
        "baseline_method": "Baseline from",
        "excess": st.column_config.NumberColumn("Excess calls", format="%.1f"),
        "rate_ratio": st.column_config.NumberColumn("x normal", format="%.1f"),
        "load_share": st.column_config.NumberColumn("Share of calls", format="percent",
                                                    help="Of every call that arrived in the batch's window"),
        "reasons": "Reasons",
    }


def launch_tiles(s, view, as_of) -> dict:
    """The launch status KPI tiles against one hour earlier; returns the figures at ``as_of``."""
    now = state.figures(s, as_of, view.scope)
    hour_ago = state.figures(s, as_of - timedelta(hours=1), view.scope)
    for col, tile in zip(st.columns(6), kpi_tiles(now, hour_ago)):
        col.metric(tile.label, tile.value, tile.delta, delta_color=tile.delta_color, help=tile.help,
                   delta_description="vs 1 h earlier")
    return now
