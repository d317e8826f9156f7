"""Messages: what was sent when, what it claimed against reality, and what had to be taken back."""
from datetime import timedelta

import pandas as pd
import streamlit as st

from launchboard.charts import messages as charts
from launchboard.text import plain
from launchboard.timeutil import local_text
from ui import state
from ui.page import run_page
from ui.widgets import csv_download, impact_columns, show_table

SPANS = {"Last 24 h": 24, "Last 3 days": 72, "Last 7 days": 168}


def _tiles(m: dict) -> None:
    cols = st.columns(6)
    cols[0].metric("Sent", f"{m['sent']:,}")
    cols[1].metric("Delivery failures", f"{m['failed']:,}")
    cols[2].metric("Sent in quiet hours", f"{m['quiet_hours']:,}")
    cols[3].metric("Contradicting the order", f"{m['contradicting_state']:,}",
                   help="The template's claim was false for the order's stage when it was sent")
    cols[4].metric("Customers with conflicting instructions", f"{m['conflicting_customers']:,}")
    cols[5].metric("Retracted batches", f"{len(m['retracted_batches']):,}")


def _sends(s, p: dict, marks, as_of) -> None:
    cfg = s.config
    st.subheader("Sends per hour by template")
    hourly = state.frame(s, "messages_hourly_by_template", p)
    if hourly.empty:
        st.info("No message sent in this period.")
        return
    # Shade every night the chart shows: its time axis runs from the first send or marked moment
    # to the end of T's hour or the last marked moment (e.g. a promise still ahead).
    start = hourly["at"].min().to_pydatetime()
    end = as_of.astimezone(cfg.tz).replace(tzinfo=None) + timedelta(hours=1)
    if not marks.empty:
        start, end = min(start, marks["at"].min().to_pydatetime()), max(end, marks["at"].max().to_pydatetime())
    windows = charts.quiet_windows(start, end, cfg.quiet_start, cfg.quiet_end)
    st.caption(f"Shaded: quiet hours {cfg.quiet_start:%H:%M} to {cfg.quiet_end:%H:%M} "
               f"({cfg.timezone}); dashed rules: marked moments.")
    st.altair_chart(charts.sends_by_template(hourly, windows, marks), key="messages_sends_chart")
    csv_download(hourly, "messages_per_hour.csv", "messages_sends_csv")


def _choose_batch(ids: list[str], impact: dict[str, dict], as_of_text: str) -> str:
    """The batch selectbox, kept in the URL (?batch=...): a link selects its batch."""
    url = st.query_params.get("batch")
    if url in impact:
        st.session_state["messages_batch"] = url
    elif st.session_state.get("messages_batch") not in impact:
        st.session_state.pop("messages_batch", None)

    def to_url() -> None:
        st.query_params["batch"] = st.session_state["messages_batch"]

    def describe(b: str) -> str:
        row = impact[b]
        return f"{b} · {row['template']} · {row['calls']:,} calls, excess {_num(row['excess'])}"

    chosen = st.selectbox("Batch", ids, key="messages_batch", format_func=describe, on_change=to_url)
    if url is not None and url not in impact:
        st.warning(f"The link asks for batch **{plain(url)}**, but no such batch had sent a message by {as_of_text} "
                   "(within the filters). Showing the batch with the most excess calls instead; choose another "
                   "above.", icon=":material/link_off:")
    return chosen


def _num(x: float | None, digits: int = 1) -> str:
    return "n/a" if x is None else f"{x:,.{digits}f}"


def _calls_caused(s, params: dict, m: dict, marks, as_of) -> None:
    st.subheader("Calls each batch caused")
    impact = {b["batch_id"]: b for b in m["call_impact"]}
    if not impact:
        st.info("No message batch or correction sent by this moment.")
        return
    hours = s.config.call_window_hours
    chosen = _choose_batch(list(impact), impact, local_text(as_of, s.config.tz))
    b = impact[chosen]
    cols = st.columns(6)
    cols[0].metric("Customers reached", f"{b['customers_reached']:,}", help=f"{b['messages']:,} messages sent; "
                   "a message the carrier reported failed reached nobody")
    cols[1].metric(f"Calls within {hours:g} h", f"{b['calls']:,}",
                   help="Calls by those customers after their message (for the most recent batch they got)")
    cols[2].metric("Baseline", _num(b["baseline"]), help=f"From {b['baseline_method'] or 'nothing'}: the calls "
                   "they would have made anyway")
    cols[3].metric("Excess calls", _num(b["excess"]))
    cols[4].metric("x normal", _num(b["rate_ratio"]))
    cols[5].metric("Share of calls", "n/a" if b["load_share"] is None else f"{b['load_share']:.1%}",
                   help=f"Of all {b['window_calls']:,} calls that arrived in the batch's window")
    left, right = st.columns([2, 1])
    with left:
        series = state.frame(s, "messages_batch_calls", {**params, "batch": chosen})
        if series.empty:
            st.info(f"No call from the customers {plain(chosen)} reached, in its window or the day before.")
        else:
            st.altair_chart(charts.batch_calls(series, marks[marks["name"] == chosen]), key="messages_batch_calls_chart")
            st.caption("Red: calls traced to the batch per 15 minutes; grey: the same customers' calls in the same "
                       "windows the day before, drawn 24 h later" + (" (the baseline)." if b["baseline_method"] ==
                                                                      "day before" else
                                                                      " (not the baseline: the launch rate is)."))
    with right:
        if b["reasons"]:
            st.altair_chart(charts.reasons(b["reasons"]), key="messages_batch_reasons_chart")
        else:
            st.caption("No traced call, so no reason given.")
    table = charts.impact_frame(m["call_impact"], s.config.tz)
    highlighted = (table.style
                   .apply(lambda row: ["background-color: #fff3cd" if row["batch_id"] == chosen else ""] * len(row), axis=1)
                   .format({"baseline": "{:,.1f}", "excess": "{:,.1f}", "rate_ratio": "{:,.1f}", "load_share": "{:.1%}",
                            "first_sent": "{:%Y-%m-%d %H:%M}"}, na_rep="n/a"))
    st.caption(f"Every batch by excess calls; **{plain(chosen)}** highlighted.")
    st.dataframe(highlighted, hide_index=True, key="messages_batches_table", column_config=impact_columns(hours))
    csv_download(table, "calls_by_message_batch.csv", "messages_batches_csv")


def _quiet(s, params: dict, m: dict) -> None:
    st.subheader("Sent in quiet hours")
    quiet = state.frame(s, "messages_quiet_by_template", params)
    if quiet.empty:
        st.success("No message was sent in quiet hours.")
        return
    st.markdown(f"**{m['quiet_hours']:,}** messages went out in the quiet window, by template and batch:")
    show_table(quiet, "quiet_hours_messages.csv", "messages_quiet")


def _contradictions(s, params: dict, m: dict) -> None:
    st.subheader("Messages that contradicted the order")
    table = state.frame(s, "messages_contradictions", params)
    if table.empty:
        st.success("No message contradicted its order's stage.")
        return
    st.markdown(f"**{m['contradicting_state']:,}** messages claimed something the order's stage at send time "
                "said was false (e.g. 'delivery delayed' to an order already delivered):")
    show_table(table, "contradicting_messages.csv", "messages_contradictions")


def _conflicts(s, params: dict, m: dict) -> None:
    st.subheader("Conflicting instructions")
    pairs = state.frame(s, "messages_conflict_pairs", params)
    if pairs.empty:
        st.success("No customer received two conflicting templates.")
        return
    st.markdown(f"**{m['conflicting_customers']:,}** customers received two templates the catalog declares in "
                f"conflict within {s.config.conflict_window_hours:g} h of each other:")
    show_table(pairs, "conflicting_templates.csv", "messages_conflicts")


def _retractions(s, params: dict, m: dict, marks) -> None:
    st.subheader("Retracted batches")
    batches = m["retracted_batches"]
    if not batches:
        st.success("No batch has been corrected or retracted.")
        return
    tz = s.config.tz
    report = pd.DataFrame(batches)
    for col in ("sent_at", "corrected_at"):
        report[col] = pd.to_datetime(report[col], utc=True).dt.tz_convert(tz).dt.tz_localize(None)
    detail = state.frame(s, "messages_retractions", params)
    table = report.merge(detail, on="batch_id", how="left")
    for b in table.itertuples():
        st.warning(f"Batch **{plain(b.batch_id)}** ({plain(b.batch_template)}) went to **{b.recipients:,}** "
                   f"recipients at {b.sent_at:%Y-%m-%d %H:%M}; corrected by {plain(b.correction_template)} "
                   f"{b.hours_to_correction:.1f} h later ({b.corrected_at:%Y-%m-%d %H:%M}).",
                   icon=":material/undo:")
    st.altair_chart(charts.retraction_timeline(table, marks), key="messages_retractions_chart")
    show_table(table, "retracted_batches.csv", "messages_retractions")


def _failures(m: dict, missing: list[str]) -> None:
    left, right = st.columns(2)
    with left:
        st.subheader("Delivery failures by code")
        if not m["failed_by_code"]:
            st.success("No delivery failure reported.")
        else:
            st.altair_chart(charts.failures_by_code(m["failed_by_code"]), key="messages_failures_chart")
            table = pd.DataFrame({"error_code": list(m["failed_by_code"]), "failed": list(m["failed_by_code"].values())})
            csv_download(table, "message_failures_by_code.csv", "messages_failures_csv")
    with right:
        st.subheader("Templates missing from the catalog")
        if not missing:
            st.success("Every template the messages use is in launch.toml's catalog.")
        else:
            st.warning(f"{len(missing)} template(s) make no claim and have no conflicts until launch.toml "
                       "describes them (`[templates.NAME]`):", icon=":material/playlist_add:")
            table = pd.DataFrame({"template": missing})
            show_table(table, "templates_missing_from_catalog.csv", "messages_missing")


def body(s, view, as_of):
    fig = state.figures(s, as_of, view.scope)
    m = fig["messages"]
    _tiles(m)
    if not m["sent"]:
        st.info("No message sent by this moment.")
        return
    params = view.params(s, as_of)
    span = st.selectbox("Charts cover", list(SPANS), index=2, key="messages_span")
    p = {**params, "span_hours": SPANS[span]}
    marks = state.frame(s, "launch_markers", params)
    _sends(s, p, marks, as_of)
    _calls_caused(s, params, m, marks, as_of)
    _retractions(s, params, m, marks)
    _contradictions(s, params, m)
    _conflicts(s, params, m)
    _quiet(s, params, m)
    _failures(m, fig["templates_missing_from_catalog"])


run_page("Messages", body, url_keys=("batch",))
