"""Launchboard: page config and routing only; the pages live in app_pages/.

(Not `pages/`: Streamlit treats a `pages/` folder beside the entry script as the old automatic
navigation, so a direct link to a page would run that page without this router.)
"""
import streamlit as st

st.set_page_config(page_title="Launchboard", page_icon="🚀", layout="wide")

st.navigation(
    {
        "Launch": [
            st.Page("app_pages/status.py", title="Launch status", icon=":material/monitoring:", default=True),
            st.Page("app_pages/pipeline.py", title="Pipeline & bottlenecks", icon=":material/local_shipping:"),
            st.Page("app_pages/activations.py", title="Activations", icon=":material/sim_card:"),
            st.Page("app_pages/messages.py", title="Messages", icon=":material/sms:"),
            st.Page("app_pages/calls.py", title="Call centre", icon=":material/support_agent:"),
        ],
        "Investigate": [
            st.Page("app_pages/lookup.py", title="Order lookup", icon=":material/search:"),
            st.Page("app_pages/review.py", title="Incident review", icon=":material/history:"),
            st.Page("app_pages/quality.py", title="Data quality", icon=":material/fact_check:"),
            st.Page("app_pages/explore.py", title="Explore (SQL)", icon=":material/database:"),
        ],
    }
).run()
