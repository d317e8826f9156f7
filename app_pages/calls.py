"""Call centre: traffic, service level, waits, why people call, and the staffing it needed."""
import pandas as pd
import streamlit as st

from launchboard.charts import calls as charts
from launchboard.charts.messages import impact_frame
from launchboard.erlang import agents_for_load
from ui import state
from ui.page import run_page
from ui.widgets import csv_download, impact_columns

SPANS = {"Last 24 h": 24, "Last 3 days": 72, "Last 7 days": 168}
WINDOWS = (15, 30, 60, 120, 240)
BIN_SECONDS, BINS = 10, 31  # wait histogram: 10 s bins, the last one "300 s or more"


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1%}"


def _tiles(c: dict, target_seconds: float) -> None:
    cols = st.columns(8)
    cols[0].metric("Offered", f"{c['offered']:,}")
    cols[1].metric("Answered", f"{c['answered']:,}")
    cols[2].metric("Abandoned", f"{c['abandoned']:,}", help=f"Abandon rate {_pct(c['abandon_rate'])}")
    cols[3].metric("Rejected", f"{c['rejected']:,}", help=f"Rejected rate {_pct(c['rejected_rate'])}")
    cols[4].metric("Service level", _pct(c["service_level"]),
                   help=f"Answered within {target_seconds:g} s / offered")
    cols[5].metric("ASA", "n/a" if c["asa_seconds"] is None else f"{c['asa_seconds']:.0f} s",
                   help="Average speed of answer: mean wait of answered calls")
    no_info = None if not c["answered"] else c["no_info"] / c["answered"]
    cols[6].metric("No-info answers", f"{c['no_info']:,}", help=f"{_pct(no_info)} of answered calls: "
                   "the agent could not tell the customer the status")
    cols[7].metric("Repeat callers", f"{c['repeat_callers']:,}", help="Known customers with 2 or more calls")


def _traffic(s, p: dict, marks) -> None:
    st.subheader("Calls per 15 minutes")
    q = state.frame(s, "calls_per_15min", p)
    if q.empty:
        st.info("No call in this period.")
        return
    traced = state.frame(s, "calls_traced_per_15min", p)
    st.altair_chart(charts.per_15min(q, marks, traced), height=360, key="calls_traffic_chart")
    st.caption(f"Bars: calls traced to a message batch (the caller got it within "
               f"{s.config.call_window_hours:g} h before calling); dashed rules: marked moments, each batch "
               "named at the top.")
    csv_download(q, "calls_per_15min.csv", "calls_traffic_csv")


def _batches(s, view, fig) -> None:
    st.subheader("Calls traced to message batches")
    impact = fig["messages"]["call_impact"]
    if not impact:
        st.info("No message batch or correction sent by this moment.")
        return
    hours = s.config.call_window_hours
    st.caption(f"Each batch's calls: calls from the customers it reached within {hours:g} h after their message "
               "(a call after several batches counts for the most recent). Baseline: the same customers' calls "
               "in the same windows the day before, or the launch's calls per customer per hour when the calls "
               "extract does not go back that far. Excess = calls - baseline.")
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
            "messages_page": st.column_config.LinkColumn("Messages", display_text="open in a new tab"),
        })
    st.caption("Select a row to open that batch on the Messages page; the link opens it in a new tab with this "
               "view (as of, filters).")
    csv_download(table.drop(columns="messages_page"), "calls_by_message_batch.csv", "calls_batches_csv")


def _service(s, p: dict, marks, target_level: float) -> None:
    target = s.config.service_level_seconds
    st.subheader("Service level and speed of answer per hour")
    hourly = state.frame(s, "calls_service_hourly", p)
    if hourly.empty:
        st.info("No call in this period.")
        return
    left, right = st.columns(2)
    with left:
        st.altair_chart(charts.service_level(hourly, target_level, target, marks), key="calls_sl_chart")
    with right:
        st.altair_chart(charts.asa(hourly, marks), key="calls_asa_chart")
    csv_download(hourly, "calls_service_per_hour.csv", "calls_service_csv")


def _waits(s, params: dict) -> None:
    st.subheader("How long callers waited")
    hist = state.frame(s, "calls_wait_histogram", {**params, "bin_seconds": BIN_SECONDS, "bins": BINS})
    if hist.empty:
        st.info("No answered or abandoned call by this moment.")
        return
    st.altair_chart(charts.wait_histogram(hist, BIN_SECONDS, s.config.service_level_seconds),
                    key="calls_wait_chart")
    st.caption(f"Dashed rule: the {s.config.service_level_seconds:g} s service-level target.")
    csv_download(hist, "call_waits.csv", "calls_wait_csv")


def _staffing(s, p: dict, marks, target_level: float) -> None:
    target = s.config.service_level_seconds
    st.subheader("Staffing: Erlang C against the agents who answered")
    minutes = st.selectbox("Window (minutes before T)", WINDOWS, index=WINDOWS.index(60), key="calls_erlang_minutes")
    load = state.frame(s, "calls_staffing", {**p, "erlang_minutes": minutes})
    window = load[load["is_window"]].iloc[0]
    calls = int(window["calls"])
    handle = None if pd.isna(window["handle_seconds"]) else float(window["handle_seconds"])
    needed = agents_for_load(calls, minutes, handle, target, target_level)
    answering = int(window["agents_answering"])
    cols = st.columns(5)
    cols[0].metric("Calls per hour", f"{calls * 60 / minutes:,.0f}", help=f"{calls:,} calls arrived in the window")
    cols[1].metric("Mean handle time", "n/a" if handle is None else f"{handle:.0f} s",
                   help="Mean of ended_at - answered_at over answered calls in the window")
    cols[2].metric("Traffic", "n/a" if handle is None else f"{calls * 60 / minutes * handle / 3600:,.1f} erlangs")
    cols[3].metric(f"Agents needed ({target_level:.0%} in {target:g} s)", "n/a" if needed is None else f"{needed:,}")
    cols[4].metric("Agents answering", f"{answering:,}",
                   delta=None if needed is None else f"{answering - needed:+,} vs needed",
                   delta_color="normal")
    if needed is None:
        st.info("No answered call in the window: no handle time to size staffing from.")
    elif answering < needed:
        st.error(f"Short by **{needed - answering:,}** agents for {target_level:.0%} of calls answered within "
                 f"{target:g} s at this load.", icon=":material/support_agent:")
    hourly = load[~load["is_window"]].copy()
    hourly["calls_per_hour"] = hourly["calls"] * 60.0 / hourly["minutes"]
    hourly["agents_needed"] = [
        agents_for_load(int(r.calls), float(r.minutes), None if pd.isna(r.handle_seconds) else float(r.handle_seconds),
                        target, target_level)
        for r in hourly.itertuples()]
    hourly["agents_needed"] = hourly["agents_needed"].astype("Int64")
    if hourly.empty:
        return
    st.altair_chart(charts.staffing(hourly, marks), key="calls_staffing_chart")
    st.caption("Per hour of arrival: Erlang C agents for the hour's arrival rate (rejected calls included: they "
               "were demand too) and mean handle time, against distinct agents who answered a call that hour.")
    csv_download(hourly.drop(columns="is_window"), "calls_staffing_per_hour.csv", "calls_staffing_csv")


def _reasons(s, params: dict) -> None:
    st.subheader("Why people called, and where their order stood")
    rs = state.frame(s, "calls_reason_stage", params)
    if rs.empty:
        st.info("No call by this moment.")
        return
    # An explicit height: the rows of a discrete y axis are otherwise squeezed together.
    st.altair_chart(charts.reason_stage(rs), height=34 * rs["reason"].nunique() + 120, key="calls_reason_chart")
    st.caption("Stage of the caller's most recent order placed before the call, at the moment the call arrived; "
               "'unknown': the caller could not be matched to an order.")
    csv_download(rs, "calls_by_reason_and_stage.csv", "calls_reason_csv")


def _repeats(s, params: dict) -> None:
    st.subheader("Repeat callers")
    rep = state.frame(s, "calls_repeat_distribution", params)
    if rep.empty:
        st.info("No known caller by this moment.")
        return
    st.altair_chart(charts.repeat_callers(rep), key="calls_repeat_chart")
    csv_download(rep, "repeat_callers.csv", "calls_repeat_csv")


def body(s, view, as_of):
    fig = state.figures(s, as_of, view.scope)
    c = fig["calls"]
    _tiles(c, s.config.service_level_seconds)
    if not c["offered"]:
        st.info("No call has ended by this moment.")
        return
    params = view.params(s, as_of)
    left, right = st.columns(2)
    span = left.selectbox("Charts cover", list(SPANS), index=1, key="calls_span")
    target_level = right.slider("Service-level target", 0.5, 0.95, 0.8, 0.05, key="calls_sl_target",
                                help=f"Share of calls to answer within {s.config.service_level_seconds:g} s")
    p = {**params, "span_hours": SPANS[span]}
    marks = state.frame(s, "launch_markers", params)
    _traffic(s, p, marks)
    _batches(s, view, fig)
    _service(s, p, marks, target_level)
    _staffing(s, p, marks, target_level)
    _waits(s, params)
    _reasons(s, params)
    left, _ = st.columns(2)
    with left:
        _repeats(s, params)


run_page("Call centre", body)
