"""Pipeline & bottlenecks: where orders wait, for how long, and who is late."""
from datetime import datetime

import pandas as pd
import streamlit as st

from launchboard import i18n
from launchboard.charts import pipeline as charts
from launchboard.charts.status import marks_until
from launchboard.i18n import _, num
from launchboard.text import plain
from launchboard.timeutil import local_text
from ui import state
from ui.page import run_page
from ui.widgets import chart, csv_download, show_table


def _flow(s, params, marks):
    st.subheader(_("Work in progress per stage"))
    flow = state.frame(s, "status_stages_over_time", params)
    if flow.empty:
        st.info(_("No order has been placed by this moment."))
    else:
        chart(charts.wip_over_time(flow, marks), key="pipeline_wip")

    st.subheader(_("Dwell time per stage transition"))
    dwell = state.frame(s, "pipeline_dwell", params)
    if dwell.empty:
        st.info(_("No order has completed a stage transition by this moment."))
        return
    st.caption(_("Hours from one milestone to the next, for orders that completed the transition by T; "
                 "slowest (median) first."))
    chart(charts.dwell_chart(dwell), key="pipeline_dwell")
    table = dwell.drop(columns="pos").round({"median_hours": 1, "p90_hours": 1})
    show_table(table, "dwell_times.csv", "pipeline_dwell")


def _aging(s, params):
    st.subheader(_("Aging orders"))
    hours = st.number_input(_("In one stage longer than (hours)"), min_value=0.0, value=24.0, step=1.0,
                            key="pipeline_aging_hours")
    aging = state.frame(s, "pipeline_aging", {**params, "aging_hours": hours})
    if aging.empty:
        st.success(_("No order has been in its stage longer than {hours} h.").format(hours=f"{hours:g}"))
        return
    total = int(aging["aging_total"].iloc[0])
    listed = aging.drop(columns="aging_total")
    text = (i18n.ngettext("**{total}** order in one stage longer than {hours} h.",
                          "**{total}** orders in one stage longer than {hours} h.", total)
            if total == len(listed) else
            i18n.ngettext("**{total}** order in one stage longer than {hours} h (the {listed} oldest listed).",
                          "**{total}** orders in one stage longer than {hours} h (the {listed} oldest listed).",
                          total))
    st.markdown(text.format(total=num(total), hours=f"{hours:g}", listed=num(len(listed))) + " "
                + _("Activated and cancelled orders do not age."))
    by_stage = listed.groupby("stage").size().rename("orders").reset_index().sort_values("orders", ascending=False)
    st.caption(_("By stage: {counts}").format(counts=", ".join(f"{plain(i18n.stage(r.stage))} {num(r.orders)}"
                                                                for r in by_stage.itertuples())))
    show_table(listed, "aging_orders.csv", "pipeline_aging")


def _couriers(s, params, marks, fig):
    st.subheader(_("Couriers and hubs"))
    stalled = [a for a in fig["alerts"] if a["kind"] == "stalled_hub"]
    tz = s.config.tz
    for a in stalled:
        st.error(_("Stalled hub **{hub}** since {since}: {message}").format(
            hub=plain(a["subject"]), since=local_text(datetime.fromisoformat(a["since"]), tz),
            message=plain(a["message"])), icon=":material/warehouse:")
    if stalled:
        table = pd.DataFrame(stalled)[["subject", "count", "since", "message"]].rename(
            columns={"subject": "hub", "count": "orders held"})
        csv_download(table, "stalled_hubs.csv", "pipeline_stalled_csv")
    else:
        st.success(_("No hub is stalled."))

    left, right = st.columns(2)
    with left:
        st.markdown("**" + _("Pickups per courier") + "**")
        pickups = state.frame(s, "pipeline_pickups", params)
        if pickups.empty:
            st.info(_("No pickup scan by this moment."))
        else:
            chart(charts.pickups_chart(pickups, marks), key="pipeline_pickups")
            csv_download(pickups, "pickups.csv", "pipeline_pickups_csv")
    with right:
        st.markdown("**" + _("Orders sitting at each hub") + "**")
        hubs = state.frame(s, "pipeline_hub_hours", params)
        if hubs.empty:
            st.info(_("No order has been scanned at a hub by this moment."))
        else:
            chart(charts.hub_heatmap(hubs, marks), key="pipeline_hubs")
            csv_download(hubs, "orders_at_hubs.csv", "pipeline_hubs_csv")


def _promises(s, params, fig):
    st.subheader(_("Delivery promise tracking"))
    missed = fig["orders"]["missed_delivery_promise"]
    late = state.frame(s, "pipeline_promise_late", params)
    if late.empty:
        st.info(_("No delivery promise is due by this moment."))
        return
    st.markdown(i18n.ngettext("**{n}** order missed its delivery promise (not cancelled, promise due, not "
                              "delivered by the promised time).",
                              "**{n}** orders missed their delivery promise (not cancelled, promise due, not "
                              "delivered by the promised time).", missed).format(n=num(missed)))
    cols = st.columns(3)
    for col, dim in zip(cols, ("region", "courier", "hub")):
        with col:
            chart(charts.promise_late_chart(late, dim), key=f"pipeline_late_{dim}")
    csv_download(late, "late_deliveries.csv", "pipeline_late_csv")


def _allocation(s, params):
    st.subheader(_("Allocation queue per SKU"))
    queue = state.frame(s, "pipeline_allocation_queue", params)
    if queue.empty:
        st.success(_("No order is waiting for stock or for packing."))
        return
    chart(charts.allocation_queue_chart(queue), key="pipeline_queue")
    show_table(queue, "allocation_queue.csv", "pipeline_queue")


def body(s, view, as_of):
    fig = state.figures(s, as_of, view.scope, sections=("orders", "alerts"), alert_kinds=("stalled_hub",))
    params = view.params(s, as_of)
    marks = marks_until(state.frame(s, "launch_markers", params), as_of, s.config.tz)
    _flow(s, params, marks)
    _aging(s, params)
    _couriers(s, params, marks, fig)
    _promises(s, params, fig)
    _allocation(s, params)


run_page(_("Pipeline & bottlenecks"), body)
