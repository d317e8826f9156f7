"""Launchboard: page config and routing only; the pages live in app_pages/.

(Not `pages/`: Streamlit treats a `pages/` folder beside the entry script as the old automatic
navigation, so a direct link to a page would run that page without this router.)

With sign-in on, the navigation shows the pages the signed-in role may open; the gate stops
the run with the sign-in screen or "not allowed" before a page's own code runs (ui/gate.py).
"""
import streamlit as st

from ui import auth, gate

st.set_page_config(page_title="Launchboard", page_icon="🚀", layout="wide")

PAGES = {
    "Launch": [
        ("status", "Launch status", ":material/monitoring:"),
        ("pipeline", "Pipeline & bottlenecks", ":material/local_shipping:"),
        ("activations", "Activations", ":material/sim_card:"),
        ("messages", "Messages", ":material/sms:"),
        ("calls", "Call centre", ":material/support_agent:"),
    ],
    "Investigate": [
        ("lookup", "Order lookup", ":material/search:"),
        ("review", "Incident review", ":material/history:"),
        ("quality", "Data quality", ":material/fact_check:"),
        ("explore", "Explore (SQL)", ":material/database:"),
    ],
    "Admin": [
        ("access_log", "Access log", ":material/policy:"),
        ("users", "Users", ":material/group:"),
    ],
}

setup = auth.setup()
session = auth.current(setup)
page = st.navigation(gate.pages(session, PAGES), position=gate.position(session))
gate.guard(setup, session, page)
page.run()
