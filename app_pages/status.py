"""Launch status: KPI tiles against one hour earlier, alerts, stage funnel and flow, feed freshness."""
from datetime import datetime

import pandas as pd
import streamlit as st

from launchboard import i18n
from launchboard.charts import status as charts
from launchboard.i18n import _
from launchboard.text import plain
from launchboard.timeutil import local_text
from ui import state
from ui.page import run_page
from ui.widgets import chart, csv_download, launch_tiles, table

ALERT_ICONS = {"critical": ":material/error:", "warning": ":material/warning:"}
PAGE_TITLES = {"status": i18n.N_("Launch status"), "pipeline": i18n.N_("Pipeline & bottlenecks"),
               "activations": i18n.N_("Activations"), "messages": i18n.N_("Messages"), "calls": i18n.N_("Call centre")}


def _alerts(s, fig):
    st.subheader(_("Alerts"))
    alerts = fig["alerts"]
    if not alerts:
        st.success(_("No alert is raised."))
        return
    tz = s.config.tz
    for i, a in enumerate(alerts):
        with st.container(border=True):
            left, right = st.columns([4, 1], vertical_alignment="center")
            subject = f" · **{plain(i18n.alert_subject(a['kind'], a['subject']))}**" if a["subject"] else ""
            since = local_text(datetime.fromisoformat(a["since"]), tz) if a["since"] else "—"
            left.markdown(f"{ALERT_ICONS.get(a['severity'], '')} **{i18n.severity(a['severity'])}** · `{a['kind']}`"
                          f"{subject} · " + _("since {moment}").format(moment=since) + f"  \n{plain(a['message'])}")
            # a surge's subject is its batch: open the Messages page on it
            batch = {"batch": a["subject"]} if a["kind"] == "message_call_surge" else None
            right.page_link(f"app_pages/{a['page']}.py", label=_("Open {page}").format(page=_(PAGE_TITLES[a["page"]])),
                            icon=":material/arrow_forward:", query_params=batch)
    frame = pd.DataFrame(alerts)[["severity", "kind", "subject", "since", "count", "message", "page"]]
    csv_download(frame, "alerts.csv", "status_alerts_csv", _("Download alerts (CSV)"))


def _stages(s, view, as_of, fig):
    params = view.params(s, as_of)
    left, right = st.columns([1, 2])
    with left:
        st.subheader(_("Orders by stage"))
        chart(charts.stage_funnel(fig["orders"]["by_stage"]), key="status_funnel")
    with right:
        st.subheader(_("Orders per stage over time"))
        flow = state.frame(s, "status_stages_over_time", params)
        if flow.empty:
            st.info(_("No order has been placed by this moment."))
        else:
            marks = charts.marks_until(state.frame(s, "launch_markers", params), as_of, s.config.tz)
            chart(charts.stages_over_time(flow, marks), key="status_flow")
            csv_download(flow, "orders_per_stage.csv", "status_flow_csv")


def _freshness(s, view):
    st.subheader(_("Feed freshness"))
    minutes = s.config.alerts["stale_feed_minutes"]
    fresh = charts.freshness_table(state.frame(s, "status_freshness", {}), now=datetime.now(s.config.tz),
                                   stale_minutes=minutes, live=view.live)
    for row in fresh.itertuples(index=False):
        if row.status not in (_("ok"), _("no file yet")):  # stale
            st.warning(_("**{table}** feed is {status} (threshold {minutes} min).").format(
                table=row.table, status=row.status, minutes=f"{minutes:g}"), icon=":material/schedule:")
    if not view.live:
        st.caption(_("Replay: the stale-feed warning is only given while live."))
    tz = s.config.tz
    shown = fresh.assign(**{c: fresh[c].map(lambda t: local_text(None if pd.isna(t) else t, tz))
                            for c in ("newest file arrived", "newest event")})
    table(shown, "status_freshness")
    csv_download(shown, "feed_freshness.csv", "status_freshness_csv")


def body(s, view, as_of):
    fig = launch_tiles(s, view, as_of)
    _alerts(s, fig)
    _stages(s, view, as_of, fig)
    _freshness(s, view)


run_page(_("Launch status"), body)
