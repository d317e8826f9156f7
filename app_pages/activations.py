"""Activations: throughput and failures, retries, channels, and whether the promise will hold."""
import pandas as pd
import streamlit as st

from launchboard import i18n
from launchboard.charts import activations as charts
from launchboard.i18n import _, num, pct
from launchboard.schema import STAGES
from ui import state
from ui.page import run_page
from ui.widgets import chart, csv_download, show_table, span_label, table

SPANS = (24, 72, 168)  # hours the charts cover
BACKLOG_STAGES = [x for x in STAGES if x not in ("activated", "cancelled")]


def _when(ts) -> str:
    return "—" if ts is None or pd.isna(ts) else pd.Timestamp(ts).strftime("%Y-%m-%d %H:%M")


def _tiles(fig: dict) -> None:
    a, o = fig["activations"], fig["orders"]
    cols = st.columns(6)
    cols[0].metric(_("Attempts"), num(a["attempts"]))
    cols[1].metric(_("Succeeded"), num(a["succeeded"]))
    cols[2].metric(_("Failed"), num(a["failed"]))
    cols[3].metric(_("Pending"), num(a["pending"]))
    cols[4].metric(_("Failure rate"), pct(a["failure_rate"]),
                   help=_("failed / (succeeded + failed), attempts finished by T"))
    cols[5].metric(_("Missed activation promise"), num(o["missed_activation_promise"]),
                   help=_("Orders not cancelled whose promised_activation_by is due and that had no success by then"))


def _backlog(s, p: dict, fig: dict, marks, as_of) -> None:
    st.subheader(_("Backlog and the activation promise"))
    frame = state.frame(s, "activations_backlog", p)
    total = frame[frame["is_total"]].iloc[0]
    groups = frame[~frame["is_total"]].drop(columns=["is_total", "per_hour"])
    backlog, pace = int(total["backlog"]), int(total["per_hour"])
    if backlog == 0:
        st.success(_("No order is waiting for activation: every order is activated or cancelled."))
        return
    by_stage = fig["orders"]["by_stage"]
    stages = ", ".join(f"{i18n.stage(x)} {num(by_stage[x])}" for x in BACKLOG_STAGES if by_stage[x])
    st.markdown(
        i18n.ngettext("**{n}** order is neither activated nor cancelled ({stages}).",
                      "**{n}** orders are neither activated nor cancelled ({stages}).", backlog).format(
            n=num(backlog), stages=stages) + " "
        + _("Pace: **{pace}** successful activations in the last hour.").format(pace=num(pace)) + " "
        + (_("At that pace the backlog clears at **{moment}**.").format(moment=_when(total["clears_at"]))
           if pace else _("At that pace it **never clears**: no activation succeeded in the last hour.")))
    st.caption(_("Projection, best case: the backlog is worked earliest promise first at the last hour's pace, "
                 "one order per successful activation. An order will miss when its promise is after T and its "
                 "projected activation is later than the promise."))
    ahead = groups[groups["promise_ahead"] > 0].head(3)
    if ahead.empty:
        st.info(_("No order in the backlog has an activation promise still ahead of T."))
    for row in ahead.itertuples():
        if row.will_miss:
            st.error(_("Promise **{deadline}**: **{miss}** of {ahead} orders are projected to miss it.").format(
                deadline=_when(row.deadline), miss=num(row.will_miss), ahead=num(row.promise_ahead)),
                icon=":material/event_busy:")
        else:
            st.success(_("Promise **{deadline}** holds: all {ahead} orders are projected to be activated by "
                         "{clears}.").format(deadline=_when(row.deadline), ahead=num(row.promise_ahead),
                                             clears=_when(row.clears_at)), icon=":material/event_available:")
    if int(total["already_missed"]):
        st.warning(i18n.ngettext("{n} order in the backlog is already past its promise.",
                                 "{n} orders in the backlog are already past their promise.",
                                 int(total["already_missed"])).format(n=num(int(total["already_missed"]))),
                   icon=":material/schedule:")
    cols = st.columns(3)
    cols[0].metric(_("Backlog"), num(backlog))
    cols[1].metric(_("Successes in the last hour"), num(pace))
    cols[2].metric(_("Projected to miss a promise still ahead"), num(int(total["will_miss"])))

    history = state.frame(s, "activations_backlog_hourly", p)
    proj = charts.projection_frame(as_of.astimezone(s.config.tz).replace(tzinfo=None), backlog,
                                   total["clears_at"] if pace else None)
    chart(charts.backlog(history, proj, marks), key="activations_backlog_chart")
    shown = groups.assign(deadline=groups["deadline"].map(_when), clears_at=groups["clears_at"].map(_when))
    shown = shown.rename(columns={"deadline": "promised_activation_by", "clears_at": "projected_clear_by"})
    show_table(shown, "activation_backlog_by_promise.csv", "activations_backlog")


def _hourly(s, p: dict, marks) -> None:
    st.subheader(_("Attempts, successes and failures per hour"))
    hourly = state.frame(s, "activations_hourly", p)
    if hourly.empty:
        st.info(_("No activation attempt in this period."))
        return
    chart(charts.hourly(hourly, marks), key="activations_hourly_chart")
    csv_download(hourly, "activations_per_hour.csv", "activations_hourly_csv")


def _codes(s, p: dict, fig: dict, marks) -> None:
    st.subheader(_("Failures by error code"))
    codes = state.frame(s, "activations_failures_by_code_hourly", p)
    left, right = st.columns([3, 1])
    with left:
        if codes.empty:
            st.info(_("No failed attempt in this period."))
        else:
            chart(charts.failures_by_code(codes, marks), key="activations_codes_chart")
    with right:
        by_code = pd.DataFrame({"error_code": list(fig["activations"]["failed_by_code"]),
                                "failed": list(fig["activations"]["failed_by_code"].values())})
        st.caption(_("All failures by T"))
        show_table(by_code, "activation_failures_by_code.csv", "activations_codes")


def _retries(s, params: dict) -> None:
    st.subheader(_("Retries: attempts per order"))
    per_order = state.frame(s, "activations_attempts_per_order", params)
    if per_order.empty:
        st.info(_("No order has an activation attempt by this moment."))
        return
    orders = int(per_order["orders"].sum())
    retried = int(per_order.loc[per_order["attempts"] >= 2, "orders"].sum())
    mean = float((per_order["attempts"] * per_order["orders"]).sum()) / orders
    st.markdown(i18n.ngettext("**{retried}** of {orders} order with an attempt needed more than one ({share}); "
                              "{mean} attempts per order on average.",
                              "**{retried}** of {orders} orders with an attempt needed more than one ({share}); "
                              "{mean} attempts per order on average.", orders).format(
        retried=num(retried), orders=num(orders), share=pct(retried / orders), mean=num(mean, 2)))
    chart(charts.attempts_per_order(per_order), key="activations_retries_chart")
    csv_download(per_order, "attempts_per_order.csv", "activations_retries_csv")


def _via(s, params: dict) -> None:
    st.subheader(_("By request channel (requested_via)"))
    via = state.frame(s, "activations_by_via", params)
    if via.empty:
        st.info(_("No activation attempt by this moment."))
        return
    chart(charts.by_via(via), key="activations_via_chart")
    table(via, "activations_via_table",
          column_config={"failure_rate": st.column_config.NumberColumn(_("failure rate"), format="percent")})
    csv_download(via, "activations_by_requested_via.csv", "activations_via_csv")


def body(s, view, as_of):
    fig = state.figures(s, as_of, view.scope, sections=("orders", "activations"))
    _tiles(fig)
    if not fig["orders"]["total"] and not fig["activations"]["attempts"]:
        st.info(_("No order and no activation attempt by this moment."))
        return
    params = view.params(s, as_of)
    span = st.selectbox(_("Charts cover"), SPANS, index=2, format_func=i18n.bound(span_label),
                        key="activations_span")
    p = {**params, "span_hours": span}
    marks = state.frame(s, "launch_markers", params)
    _backlog(s, p, fig, marks, as_of)
    _hourly(s, p, marks)
    _codes(s, p, fig, marks)
    left, right = st.columns(2)
    with left:
        _retries(s, params)
    with right:
        _via(s, params)


run_page(_("Activations"), body)
