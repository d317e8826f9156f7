"""Launchboard: page config and routing only; the pages live in app_pages/.

(Not `pages/`: Streamlit treats a `pages/` folder beside the entry script as the old automatic
navigation, so a direct link to a page would run that page without this router.)

With sign-in on, the navigation shows the pages the signed-in role may open; the gate stops
the run with the sign-in screen or "not allowed" before a page's own code runs (ui/gate.py).

The language (Korean or English) is settled first, for the whole run (ui/lang.py).
"""
import streamlit as st

from launchboard.i18n import N_
from ui import auth, gate, lang

st.set_page_config(page_title="Launchboard", page_icon="🚀", layout="wide")
lang.resolve()

PAGES = {  # titles are translated where the navigation is built (ui/gate.py)
    N_("Launch"): [
        ("status", N_("Launch status"), ":material/monitoring:"),
        ("pipeline", N_("Pipeline & bottlenecks"), ":material/local_shipping:"),
        ("activations", N_("Activations"), ":material/sim_card:"),
        ("messages", N_("Messages"), ":material/sms:"),
        ("calls", N_("Call centre"), ":material/support_agent:"),
    ],
    N_("Investigate"): [
        ("lookup", N_("Order lookup"), ":material/search:"),
        ("review", N_("Incident review"), ":material/history:"),
        ("quality", N_("Data quality"), ":material/fact_check:"),
        ("explore", N_("Explore (SQL)"), ":material/database:"),
    ],
    N_("Admin"): [
        ("access_log", N_("Access log"), ":material/policy:"),
        ("users", N_("Users"), ":material/group:"),
    ],
}

setup = auth.setup()
session = auth.current(setup)
page = st.navigation(gate.pages(session, PAGES), position=gate.position(session))
gate.guard(setup, session, page)
page.run()
