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
