"""Small display pieces the pages share."""
from __future__ import annotations

import pandas as pd
import streamlit as st


def csv_download(df: pd.DataFrame, name: str, key: str) -> None:
    """A CSV download of a table as shown (every table on every page has one)."""
    st.download_button("Download (CSV)", df.to_csv(index=False), name, "text/csv", key=key)


def show_table(df: pd.DataFrame, name: str, key: str) -> None:
    """A table with its CSV download; widget keys are ``<key>_table`` and ``<key>_csv``."""
    st.dataframe(df, hide_index=True, key=key + "_table")
    csv_download(df, name, key + "_csv")
