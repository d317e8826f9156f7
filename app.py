"""Launchboard: page config and routing only; the pages live in pages/."""
import streamlit as st

st.set_page_config(page_title="Launchboard", page_icon=":material/rocket_launch:", layout="wide")

st.navigation(
    {
        "Launch": [
            st.Page("pages/status.py", title="Launch status", icon=":material/monitoring:", default=True),
            st.Page("pages/pipeline.py", title="Pipeline & bottlenecks", icon=":material/local_shipping:"),
            st.Page("pages/activations.py", title="Activations", icon=":material/sim_card:"),
            st.Page("pages/messages.py", title="Messages", icon=":material/sms:"),
            st.Page("pages/calls.py", title="Call centre", icon=":material/support_agent:"),
        ],
        "Investigate": [
            st.Page("pages/lookup.py", title="Order lookup", icon=":material/search:"),
            st.Page("pages/review.py", title="Incident review", icon=":material/history:"),
            st.Page("pages/quality.py", title="Data quality", icon=":material/fact_check:"),
            st.Page("pages/explore.py", title="Explore (SQL)", icon=":material/database:"),
        ],
    }
).run()
