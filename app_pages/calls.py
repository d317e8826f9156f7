"""Call centre: traffic, service level, waits, why people call, and the staffing it needed."""
import pandas as pd
import streamlit as st

from launchboard import i18n
from launchboard.charts import calls as charts
from launchboard.charts.messages import impact_frame
from launchboard.erlang import agents_for_load
from launchboard.i18n import _, num, pct
from ui import state
from ui.page import run_page
from ui.widgets import chart, csv_download, impact_columns, span_label

SPANS = (24, 72, 168)  # hours the charts cover
WINDOWS = (15, 30, 60, 120, 240)
BIN_SECONDS, BINS = 10, 31  # wait histogram: 10 s bins, the last one "300 s or more"


def _tiles(c: dict, target_seconds: float) -> None:
    cols = st.columns(8)
    cols[0].metric(_("Offered"), num(c["offered"]))
    cols[1].metric(_("Answered"), num(c["answered"]))
    cols[2].metric(_("Abandoned"), num(c["abandoned"]),
                   help=_("Abandon rate {rate}").format(rate=pct(c["abandon_rate"])))
    cols[3].metric(_("Rejected"), num(c["rejected"]),
                   help=_("Rejected rate {rate}").format(rate=pct(c["rejected_rate"])))
    cols[4].metric(_("Service level"), pct(c["service_level"]),
                   help=_("Answered within {seconds} s / offered").format(seconds=f"{target_seconds:g}"))
    cols[5].metric(_("ASA"), _("n/a") if c["asa_seconds"] is None else _("{seconds} s").format(
        seconds=num(c["asa_seconds"])), help=_("Average speed of answer: mean wait of answered calls"))
    no_info = None if not c["answered"] else c["no_info"] / c["answered"]
    cols[6].metric(_("No-info answers"), num(c["no_info"]),
                   help=_("{share} of answered calls: the agent could not tell the customer the status").format(
                       share=pct(no_info)))
    cols[7].metric(_("Repeat callers"), num(c["repeat_callers"]), help=_("Known customers with 2 or more calls"))


def _traffic(s, p: dict, marks) -> None:
    st.subheader(_("Calls per 15 minutes"))
    q = state.frame(s, "calls_per_15min", p)
    if q.empty:
        st.info(_("No call in this period."))
        return
    traced = state.frame(s, "calls_traced_per_15min", p)
    chart(charts.per_15min(q, marks, traced), height=360, key="calls_traffic_chart")
    st.caption(_("Bars: calls traced to a message batch (the caller got it within {hours} h before calling); dashed "
                 "rules: marked moments, each batch named at the top.").format(hours=f"{s.config.call_window_hours:g}"))
    csv_download(q, "calls_per_15min.csv", "calls_traffic_csv")


def _batches(s, view, as_of) -> None:
    st.subheader(_("Calls traced to message batches"))
    impact = state.call_impact(s, as_of, view.scope)
    if not impact:
        st.info(_("No message batch or correction sent by this moment."))
        return
    hours = s.config.call_window_hours
    st.caption(_("Each batch's calls: calls from the customers it reached within {hours} h after their message (a "
                 "call after several batches counts for the most recent). Baseline: the same customers' calls in "
                 "the same windows the day before, or the launch's calls per customer per hour when the calls "
                 "extract does not go back that far. Excess = calls - baseline.").format(hours=f"{hours:g}"))
    table = impact_frame(impact, s.config.tz)
    table["messages_page"] = [view.link("messages", batch=b) for b in table["batch_id"]]
    opened = st.session_state.pop("_calls_open_batch", None)
    if opened is not None:  # a row was selected: open its batch on the Messages page
        st.switch_page("app_pages/messages.py", query_params={"batch": opened})

    def open_batch() -> None:
        rows = st.session_state["calls_batches_table"]["selection"]["rows"]
        if rows:
            st.session_state["_calls_open_batch"] = table["batch_id"].iloc[rows[0]]

    st.dataframe(
        table, hide_index=True, key="calls_batches_table", on_select=open_batch, selection_mode="single-row",
        column_order=["rank", "batch_id", "messages_page", *[c for c in table.columns if c not in
                                                             ("rank", "batch_id", "messages_page")]],
        column_config={
            **impact_columns(hours),
            "messages_page": st.column_config.LinkColumn(_("Messages"), display_text=_("open in a new tab")),
        })
    st.caption(_("Select a row to open that batch on the Messages page; the link opens it in a new tab with this "
                 "view (as of, filters)."))
    csv_download(table.drop(columns="messages_page"), "calls_by_message_batch.csv", "calls_batches_csv")


def _service(s, p: dict, marks, target_level: float) -> None:
    target = s.config.service_level_seconds
    st.subheader(_("Service level and speed of answer per hour"))
    hourly = state.frame(s, "calls_service_hourly", p)
    if hourly.empty:
        st.info(_("No call in this period."))
        return
    left, right = st.columns(2)
    with left:
        chart(charts.service_level(hourly, target_level, target, marks), key="calls_sl_chart")
    with right:
        chart(charts.asa(hourly, marks), key="calls_asa_chart")
    csv_download(hourly, "calls_service_per_hour.csv", "calls_service_csv")


def _waits(s, params: dict) -> None:
    st.subheader(_("How long callers waited"))
    hist = state.frame(s, "calls_wait_histogram", {**params, "bin_seconds": BIN_SECONDS, "bins": BINS})
    if hist.empty:
        st.info(_("No answered or abandoned call by this moment."))
        return
    chart(charts.wait_histogram(hist, BIN_SECONDS, s.config.service_level_seconds), key="calls_wait_chart")
    st.caption(_("Dashed rule: the {seconds} s service-level target.").format(
        seconds=f"{s.config.service_level_seconds:g}"))
    csv_download(hist, "call_waits.csv", "calls_wait_csv")


def _staffing(s, p: dict, marks, target_level: float) -> None:
    target = s.config.service_level_seconds
    st.subheader(_("Staffing: Erlang C against the agents who answered"))
    minutes = st.selectbox(_("Window (minutes before T)"), WINDOWS, index=WINDOWS.index(60), key="calls_erlang_minutes")
    load = state.frame(s, "calls_staffing", {**p, "erlang_minutes": minutes})
    window = load[load["is_window"]].iloc[0]
    calls = int(window["calls"])
    handle = None if pd.isna(window["handle_seconds"]) else float(window["handle_seconds"])
    needed = agents_for_load(calls, minutes, handle, target, target_level)
    answering = int(window["agents_answering"])
    cols = st.columns(5)
    cols[0].metric(_("Calls per hour"), num(calls * 60 / minutes),
                   help=_("{n} calls arrived in the window").format(n=num(calls)))
    cols[1].metric(_("Mean handle time"), _("n/a") if handle is None else _("{seconds} s").format(seconds=num(handle)),
                   help=_("Mean of ended_at - answered_at over answered calls in the window"))
    cols[2].metric(_("Traffic"), _("n/a") if handle is None else _("{erlangs} erlangs").format(
        erlangs=num(calls * 60 / minutes * handle / 3600, 1)))
    cols[3].metric(_("Agents needed ({level} in {seconds} s)").format(level=pct(target_level, 0),
                                                                      seconds=f"{target:g}"),
                   _("n/a") if needed is None else num(needed))
    cols[4].metric(_("Agents answering"), num(answering),
                   delta=None if needed is None else _("{n} vs needed").format(n=num(answering - needed, sign=True)),
                   delta_color="normal")
    if needed is None:
        st.info(_("No answered call in the window: no handle time to size staffing from."))
    elif answering < needed:
        st.error(_("Short by **{n}** agents for {level} of calls answered within {seconds} s at this load.").format(
            n=num(needed - answering), level=pct(target_level, 0), seconds=f"{target:g}"),
            icon=":material/support_agent:")
    hourly = load[~load["is_window"]].copy()
    hourly["calls_per_hour"] = hourly["calls"] * 60.0 / hourly["minutes"]
    hourly["agents_needed"] = [
        agents_for_load(int(r.calls), float(r.minutes), None if pd.isna(r.handle_seconds) else float(r.handle_seconds),
                        target, target_level)
        for r in hourly.itertuples()]
    hourly["agents_needed"] = hourly["agents_needed"].astype("Int64")
    if hourly.empty:
        return
    chart(charts.staffing(hourly, marks), key="calls_staffing_chart")
    st.caption(_("Per hour of arrival: Erlang C agents for the hour's arrival rate (rejected calls included: they "
                 "were demand too) and mean handle time, against distinct agents who answered a call that hour."))
    csv_download(hourly.drop(columns="is_window"), "calls_staffing_per_hour.csv", "calls_staffing_csv")


def _reasons(s, params: dict) -> None:
    st.subheader(_("Why people called, and where their order stood"))
    rs = state.frame(s, "calls_reason_stage", params)
    if rs.empty:
        st.info(_("No call by this moment."))
        return
    # An explicit height: the rows of a discrete y axis are otherwise squeezed together.
    chart(charts.reason_stage(rs), height=34 * rs["reason"].nunique() + 120, key="calls_reason_chart")
    st.caption(_("Stage of the caller's most recent order placed before the call, at the moment the call arrived; "
                 "'{unknown}': the caller could not be matched to an order.").format(unknown=i18n.stage("unknown")))
    csv_download(rs, "calls_by_reason_and_stage.csv", "calls_reason_csv")


def _repeats(s, params: dict) -> None:
    st.subheader(_("Repeat callers"))
    rep = state.frame(s, "calls_repeat_distribution", params)
    if rep.empty:
        st.info(_("No known caller by this moment."))
        return
    chart(charts.repeat_callers(rep), key="calls_repeat_chart")
    csv_download(rep, "repeat_callers.csv", "calls_repeat_csv")


def body(s, view, as_of):
    fig = state.figures(s, as_of, view.scope, sections=("calls",))
    c = fig["calls"]
    _tiles(c, s.config.service_level_seconds)
    if not c["offered"]:
        st.info(_("No call has ended by this moment."))
        return
    params = view.params(s, as_of)
    left, right = st.columns(2)
    span = left.selectbox(_("Charts cover"), SPANS, index=1, format_func=i18n.bound(span_label), key="calls_span")
    target_level = right.slider(_("Service-level target"), 0.5, 0.95, 0.8, 0.05, key="calls_sl_target",
                                help=_("Share of calls to answer within {seconds} s").format(
                                    seconds=f"{s.config.service_level_seconds:g}"))
    p = {**params, "span_hours": span}
    marks = state.frame(s, "launch_markers", params)
    _traffic(s, p, marks)
    _batches(s, view, as_of)
    _service(s, p, marks, target_level)
    _staffing(s, p, marks, target_level)
    _waits(s, params)
    _reasons(s, params)
    with st.columns(2)[0]:
        _repeats(s, params)


run_page(_("Call centre"), body)
