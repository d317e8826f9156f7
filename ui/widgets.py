"""Small display pieces the pages share."""
from __future__ import annotations

import pandas as pd
import streamlit as st


def csv_download(df: pd.DataFrame, name: str, key: str, label: str = "Download (CSV)", *, where=st,
                 icon: str | None = None) -> None:
    """A CSV download of a table as shown (every table on every page has one).

    The file is written when the button is clicked (deferred ``data``): a live page re-runs every
    few seconds, and a file made on every run would be stored, fetched by every open browser and
    replaced each time (a browser could then ask for the replaced file and get a 404)."""
    where.download_button(label, lambda: df.to_csv(index=False), name, "text/csv", key=key, icon=icon)


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
