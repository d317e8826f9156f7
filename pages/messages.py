"""Messages (being built)."""
import streamlit as st

from ui.page import run_page


def body(s, view, as_of):
    st.info("This page is being built.")


run_page("Messages", body)
