"""Activations: throughput and failures, retries, channels, and whether the promise will hold."""
import pandas as pd
import streamlit as st

from launchboard.charts import activations as charts
from launchboard.schema import STAGES
from ui import state
from ui.page import run_page
from ui.widgets import csv_download, show_table

SPANS = {"Last 24 h": 24, "Last 3 days": 72, "Last 7 days": 168}
BACKLOG_STAGES = [x for x in STAGES if x not in ("activated", "cancelled")]


def _when(ts) -> str:
    return "—" if ts is None or pd.isna(ts) else pd.Timestamp(ts).strftime("%Y-%m-%d %H:%M")


def _tiles(fig: dict) -> None:
    a, o = fig["activations"], fig["orders"]
    cols = st.columns(6)
    cols[0].metric("Attempts", f"{a['attempts']:,}")
    cols[1].metric("Succeeded", f"{a['succeeded']:,}")
    cols[2].metric("Failed", f"{a['failed']:,}")
    cols[3].metric("Pending", f"{a['pending']:,}")
    cols[4].metric("Failure rate", "n/a" if a["failure_rate"] is None else f"{a['failure_rate']:.1%}",
                   help="failed / (succeeded + failed), attempts finished by T")
    cols[5].metric("Missed activation promise", f"{o['missed_activation_promise']:,}",
                   help="Orders not cancelled whose promised_activation_by is due and that had no success by then")


def _backlog(s, p: dict, fig: dict, marks, as_of) -> None:
    st.subheader("Backlog and the activation promise")
    table = state.frame(s, "activations_backlog", p)
    total = table[table["is_total"]].iloc[0]
    groups = table[~table["is_total"]].drop(columns=["is_total", "per_hour"])
    backlog, pace = int(total["backlog"]), int(total["per_hour"])
    if backlog == 0:
        st.success("No order is waiting for activation: every order is activated or cancelled.")
        return
    by_stage = fig["orders"]["by_stage"]
    st.markdown(
        f"**{backlog:,}** orders are neither activated nor cancelled "
        f"({', '.join(f'{x} {by_stage[x]:,}' for x in BACKLOG_STAGES if by_stage[x])}). "
        f"Pace: **{pace:,}** successful activations in the last hour. "
        + (f"At that pace the backlog clears at **{_when(total['clears_at'])}**."
           if pace else "At that pace it **never clears**: no activation succeeded in the last hour."))
    st.caption("Projection, best case: the backlog is worked earliest promise first at the last hour's pace, "
               "one order per successful activation. An order will miss when its promise is after T and its "
               "projected activation is later than the promise.")
    ahead = groups[groups["promise_ahead"] > 0].head(3)
    if ahead.empty:
        st.info("No order in the backlog has an activation promise still ahead of T.")
    for row in ahead.itertuples():
        if row.will_miss:
            st.error(f"Promise **{_when(row.deadline)}**: **{row.will_miss:,}** of {row.promise_ahead:,} orders "
                     "are projected to miss it.", icon=":material/event_busy:")
        else:
            st.success(f"Promise **{_when(row.deadline)}** holds: all {row.promise_ahead:,} orders are projected "
                       f"to be activated by {_when(row.clears_at)}.", icon=":material/event_available:")
    if int(total["already_missed"]):
        st.warning(f"{int(total['already_missed']):,} orders in the backlog are already past their promise.",
                   icon=":material/schedule:")
    cols = st.columns(3)
    cols[0].metric("Backlog", f"{backlog:,}")
    cols[1].metric("Successes in the last hour", f"{pace:,}")
    cols[2].metric("Projected to miss a promise still ahead", f"{int(total['will_miss']):,}")

    history = state.frame(s, "activations_backlog_hourly", p)
    proj = charts.projection_frame(as_of.astimezone(s.config.tz).replace(tzinfo=None), backlog,
                                   total["clears_at"] if pace else None)
    st.altair_chart(charts.backlog(history, proj, marks), key="activations_backlog_chart")
    shown = groups.assign(deadline=groups["deadline"].map(_when), clears_at=groups["clears_at"].map(_when))
    shown = shown.rename(columns={"deadline": "promised_activation_by", "clears_at": "projected_clear_by"})
    show_table(shown, "activation_backlog_by_promise.csv", "activations_backlog")


def _hourly(s, p: dict, marks) -> None:
    st.subheader("Attempts, successes and failures per hour")
    hourly = state.frame(s, "activations_hourly", p)
    if hourly.empty:
        st.info("No activation attempt in this period.")
        return
    st.altair_chart(charts.hourly(hourly, marks), key="activations_hourly_chart")
    csv_download(hourly, "activations_per_hour.csv", "activations_hourly_csv")


def _codes(s, p: dict, fig: dict, marks) -> None:
    st.subheader("Failures by error code")
    codes = state.frame(s, "activations_failures_by_code_hourly", p)
    left, right = st.columns([3, 1])
    with left:
        if codes.empty:
            st.info("No failed attempt in this period.")
        else:
            st.altair_chart(charts.failures_by_code(codes, marks), key="activations_codes_chart")
    with right:
        by_code = pd.DataFrame({"error_code": list(fig["activations"]["failed_by_code"]),
                                "failed": list(fig["activations"]["failed_by_code"].values())})
        st.caption("All failures by T")
        show_table(by_code, "activation_failures_by_code.csv", "activations_codes")


def _retries(s, params: dict) -> None:
    st.subheader("Retries: attempts per order")
    per_order = state.frame(s, "activations_attempts_per_order", params)
    if per_order.empty:
        st.info("No order has an activation attempt by this moment.")
        return
    orders = int(per_order["orders"].sum())
    retried = int(per_order.loc[per_order["attempts"] >= 2, "orders"].sum())
    mean = float((per_order["attempts"] * per_order["orders"]).sum()) / orders
    st.markdown(f"**{retried:,}** of {orders:,} orders with an attempt needed more than one "
                f"({retried / orders:.1%}); {mean:.2f} attempts per order on average.")
    st.altair_chart(charts.attempts_per_order(per_order), key="activations_retries_chart")
    csv_download(per_order, "attempts_per_order.csv", "activations_retries_csv")


def _via(s, params: dict) -> None:
    st.subheader("By request channel (requested_via)")
    via = state.frame(s, "activations_by_via", params)
    if via.empty:
        st.info("No activation attempt by this moment.")
        return
    st.altair_chart(charts.by_via(via), key="activations_via_chart")
    st.dataframe(via, hide_index=True, key="activations_via_table",
                 column_config={"failure_rate": st.column_config.NumberColumn("failure rate", format="percent")})
    csv_download(via, "activations_by_requested_via.csv", "activations_via_csv")


def body(s, view, as_of):
    fig = state.figures(s, as_of, view.scope)
    _tiles(fig)
    if not fig["orders"]["total"] and not fig["activations"]["attempts"]:
        st.info("No order and no activation attempt by this moment.")
        return
    params = view.params(s, as_of)
    span = st.selectbox("Charts cover", list(SPANS), index=2, key="activations_span")
    p = {**params, "span_hours": SPANS[span]}
    marks = state.frame(s, "launch_markers", params)
    _backlog(s, p, fig, marks, as_of)
    _hourly(s, p, marks)
    _codes(s, p, fig, marks)
    left, right = st.columns(2)
    with left:
        _retries(s, params)
    with right:
        _via(s, params)


run_page("Activations", body)
