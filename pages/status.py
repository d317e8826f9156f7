"""Launch status: KPI tiles, alerts, stage counts, reconciliation."""
import pandas as pd
import streamlit as st

from launchboard.schema import STAGES
from ui import state
from ui.page import run_page


def body(s, view, as_of):
    fig = state.figures(s, as_of, view.scope)
    o, a, c, m = fig["orders"], fig["activations"], fig["calls"], fig["messages"]
    cols = st.columns(6)
    cols[0].metric("Orders", f"{o['total']:,}")
    cols[1].metric("Delivered", f"{o['by_stage']['delivered']:,}")
    cols[2].metric("Activated", f"{o['by_stage']['activated']:,}")
    cols[3].metric("Activation failure rate", "n/a" if a["failure_rate"] is None else f"{a['failure_rate']:.1%}")
    lost = None if not c["offered"] else (c["abandoned"] + c["rejected"]) / c["offered"]
    cols[4].metric("Calls abandoned + rejected", "n/a" if lost is None else f"{lost:.1%}")
    cols[5].metric("Message errors", f"{m['failed']:,}")

    st.subheader("Alerts")
    if fig["alerts"]:
        st.dataframe(pd.DataFrame(fig["alerts"])[["severity", "kind", "subject", "since", "message"]],
                     hide_index=True, key="status_alerts")
    else:
        st.success("No alert is raised.")

    st.subheader("Orders by stage")
    st.dataframe(pd.DataFrame({"stage": list(STAGES), "orders": [o["by_stage"][x] for x in STAGES]}),
                 hide_index=True, key="status_stages")


run_page("Launch status", body)
