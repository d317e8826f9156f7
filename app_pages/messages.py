"""Messages: what was sent when, what it claimed against reality, and what had to be taken back."""
from datetime import timedelta

import pandas as pd
import streamlit as st

from launchboard import i18n
from launchboard.charts import messages as charts
from launchboard.i18n import _, num, pct
from launchboard.text import plain
from launchboard.timeutil import local_text
from ui import state
from ui.page import run_page
from ui.widgets import chart, csv_download, impact_columns, show_table, span_label

SPANS = (24, 72, 168)  # hours the charts cover


def _tiles(m: dict) -> None:
    cols = st.columns(6)
    cols[0].metric(_("Sent"), num(m["sent"]))
    cols[1].metric(_("Delivery failures"), num(m["failed"]))
    cols[2].metric(_("Sent in quiet hours"), num(m["quiet_hours"]))
    cols[3].metric(_("Contradicting the order"), num(m["contradicting_state"]),
                   help=_("The template's claim was false for the order's stage when it was sent"))
    cols[4].metric(_("Customers with conflicting instructions"), num(m["conflicting_customers"]))
    cols[5].metric(_("Retracted batches"), num(len(m["retracted_batches"])))


def _sends(s, p: dict, marks, as_of) -> None:
    cfg = s.config
    st.subheader(_("Sends per hour by template"))
    hourly = state.frame(s, "messages_hourly_by_template", p)
    if hourly.empty:
        st.info(_("No message sent in this period."))
        return
    # Shade every night the chart shows: its time axis runs from the first send or marked moment
    # to the end of T's hour or the last marked moment (e.g. a promise still ahead).
    start = hourly["at"].min().to_pydatetime()
    end = as_of.astimezone(cfg.tz).replace(tzinfo=None) + timedelta(hours=1)
    if not marks.empty:
        start, end = min(start, marks["at"].min().to_pydatetime()), max(end, marks["at"].max().to_pydatetime())
    windows = charts.quiet_windows(start, end, cfg.quiet_start, cfg.quiet_end)
    st.caption(_("Shaded: quiet hours {start} to {end} ({zone}); dashed rules: marked moments.").format(
        start=f"{cfg.quiet_start:%H:%M}", end=f"{cfg.quiet_end:%H:%M}", zone=cfg.timezone))
    chart(charts.sends_by_template(hourly, windows, marks), key="messages_sends_chart")
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
        return f"{b} · {row['template']} · " + i18n.ngettext("{calls} call, excess {excess}",
                                                             "{calls} calls, excess {excess}", row["calls"]).format(
            calls=num(row["calls"]), excess=num(row["excess"], 1))

    chosen = st.selectbox(_("Batch"), ids, key="messages_batch", format_func=i18n.bound(describe),
                          on_change=to_url)
    if url is not None and url not in impact:
        st.warning(_("The link asks for batch **{batch}**, but no such batch had sent a message by {moment} (within "
                     "the filters). Showing the batch with the most excess calls instead; choose another above.").format(
            batch=plain(url), moment=as_of_text), icon=":material/link_off:")
    return chosen


def _calls_caused(s, view, params: dict, marks, as_of) -> None:
    st.subheader(_("Calls each batch caused"))
    batches = state.call_impact(s, as_of, view.scope)
    impact = {b["batch_id"]: b for b in batches}
    if not impact:
        st.info(_("No message batch or correction sent by this moment."))
        return
    hours = s.config.call_window_hours
    chosen = _choose_batch(list(impact), impact, local_text(as_of, s.config.tz))
    b = impact[chosen]
    cols = st.columns(6)
    cols[0].metric(_("Customers reached"), num(b["customers_reached"]),
                   help=_("{n} messages sent; a message the carrier reported failed reached nobody").format(
                       n=num(b["messages"])))
    cols[1].metric(_("Calls within {hours} h").format(hours=f"{hours:g}"), num(b["calls"]),
                   help=_("Calls by those customers after their message (for the most recent batch they got)"))
    cols[2].metric(_("Baseline"), num(b["baseline"], 1),
                   help=_("From {method}: the calls they would have made anyway").format(
                       method=i18n.baseline_words(b["baseline_method"]) if b["baseline_method"] else _("nothing")))
    cols[3].metric(_("Excess calls"), num(b["excess"], 1))
    cols[4].metric(_("x normal"), num(b["rate_ratio"], 1))
    cols[5].metric(_("Share of calls"), pct(b["load_share"]),
                   help=_("Of all {n} calls that arrived in the batch's window").format(n=num(b["window_calls"])))
    left, right = st.columns([2, 1])
    with left:
        series = state.frame(s, "messages_batch_calls", {**params, "batch": chosen})
        if series.empty:
            st.info(_("No call from the customers {batch} reached, in its window or the day before.").format(
                batch=plain(chosen)))
        else:
            chart(charts.batch_calls(series, marks[marks["name"] == chosen]), key="messages_batch_calls_chart")
            st.caption(_("Red: calls traced to the batch per 15 minutes; grey: the same customers' calls in the same "
                         "windows the day before, drawn 24 h later (the baseline).") if b["baseline_method"] ==
                       "day before" else
                       _("Red: calls traced to the batch per 15 minutes; grey: the same customers' calls in the same "
                         "windows the day before, drawn 24 h later (not the baseline: the launch rate is)."))
    with right:
        if b["reasons"]:
            chart(charts.reasons(b["reasons"]), key="messages_batch_reasons_chart")
        else:
            st.caption(_("No traced call, so no reason given."))
    table = charts.impact_frame(batches, s.config.tz)
    highlighted = (table.style
                   .apply(lambda row: ["background-color: #fff3cd" if row["batch_id"] == chosen else ""] * len(row), axis=1)
                   .format({"baseline": lambda x: num(x, 1), "excess": lambda x: num(x, 1),
                            "rate_ratio": lambda x: num(x, 1), "load_share": pct,
                            "first_sent": "{:%Y-%m-%d %H:%M}"}, na_rep=_("n/a")))
    st.caption(_("Every batch by excess calls; **{batch}** highlighted.").format(batch=plain(chosen)))
    st.dataframe(highlighted, hide_index=True, key="messages_batches_table", column_config=impact_columns(hours))
    csv_download(table, "calls_by_message_batch.csv", "messages_batches_csv")


def _quiet(s, params: dict, m: dict) -> None:
    st.subheader(_("Sent in quiet hours"))
    quiet = state.frame(s, "messages_quiet_by_template", params)
    if quiet.empty:
        st.success(_("No message was sent in quiet hours."))
        return
    st.markdown(i18n.ngettext("**{n}** message went out in the quiet window, by template and batch:",
                              "**{n}** messages went out in the quiet window, by template and batch:",
                              m["quiet_hours"]).format(n=num(m["quiet_hours"])))
    show_table(quiet, "quiet_hours_messages.csv", "messages_quiet")


def _contradictions(s, params: dict, m: dict) -> None:
    st.subheader(_("Messages that contradicted the order"))
    table = state.frame(s, "messages_contradictions", params)
    if table.empty:
        st.success(_("No message contradicted its order's stage."))
        return
    st.markdown(i18n.ngettext("**{n}** message claimed something the order's stage at send time said was false "
                              "(e.g. 'delivery delayed' to an order already delivered):",
                              "**{n}** messages claimed something the order's stage at send time said was false "
                              "(e.g. 'delivery delayed' to an order already delivered):",
                              m["contradicting_state"]).format(n=num(m["contradicting_state"])))
    show_table(table, "contradicting_messages.csv", "messages_contradictions")


def _conflicts(s, params: dict, m: dict) -> None:
    st.subheader(_("Conflicting instructions"))
    pairs = state.frame(s, "messages_conflict_pairs", params)
    if pairs.empty:
        st.success(_("No customer received two conflicting templates."))
        return
    st.markdown(i18n.ngettext("**{n}** customer received two templates the catalog declares in conflict within "
                              "{hours} h of each other:",
                              "**{n}** customers received two templates the catalog declares in conflict within "
                              "{hours} h of each other:", m["conflicting_customers"]).format(
        n=num(m["conflicting_customers"]), hours=f"{s.config.conflict_window_hours:g}"))
    show_table(pairs, "conflicting_templates.csv", "messages_conflicts")


def _retractions(s, params: dict, m: dict, marks) -> None:
    st.subheader(_("Retracted batches"))
    batches = m["retracted_batches"]
    if not batches:
        st.success(_("No batch has been corrected or retracted."))
        return
    tz = s.config.tz
    report = pd.DataFrame(batches)
    for col in ("sent_at", "corrected_at"):
        report[col] = pd.to_datetime(report[col], utc=True).dt.tz_convert(tz).dt.tz_localize(None)
    detail = state.frame(s, "messages_retractions", params)
    table = report.merge(detail, on="batch_id", how="left")
    for b in table.itertuples():
        st.warning(_("Batch **{batch}** ({template}) went to **{recipients}** recipients at {sent}; corrected by "
                     "{correction} {hours} h later ({corrected}).").format(
            batch=plain(b.batch_id), template=plain(b.batch_template), recipients=num(b.recipients),
            sent=f"{b.sent_at:%Y-%m-%d %H:%M}", correction=plain(b.correction_template),
            hours=num(b.hours_to_correction, 1), corrected=f"{b.corrected_at:%Y-%m-%d %H:%M}"), icon=":material/undo:")
    chart(charts.retraction_timeline(table, marks), key="messages_retractions_chart")
    show_table(table, "retracted_batches.csv", "messages_retractions")


def _failures(m: dict, missing: list[str]) -> None:
    left, right = st.columns(2)
    with left:
        st.subheader(_("Delivery failures by code"))
        if not m["failed_by_code"]:
            st.success(_("No delivery failure reported."))
        else:
            chart(charts.failures_by_code(m["failed_by_code"]), key="messages_failures_chart")
            table = pd.DataFrame({"error_code": list(m["failed_by_code"]), "failed": list(m["failed_by_code"].values())})
            csv_download(table, "message_failures_by_code.csv", "messages_failures_csv")
    with right:
        st.subheader(_("Templates missing from the catalog"))
        if not missing:
            st.success(_("Every template the messages use is in launch.toml's catalog."))
        else:
            st.warning(i18n.ngettext("{n} template makes no claim and has no conflicts until launch.toml describes "
                                     "it (`[templates.NAME]`):",
                                     "{n} templates make no claim and have no conflicts until launch.toml describes "
                                     "them (`[templates.NAME]`):", len(missing)).format(n=num(len(missing))),
                       icon=":material/playlist_add:")
            table = pd.DataFrame({"template": missing})
            show_table(table, "templates_missing_from_catalog.csv", "messages_missing")


def body(s, view, as_of):
    fig = state.figures(s, as_of, view.scope, sections=("messages", "templates_missing_from_catalog"))
    m = fig["messages"]
    _tiles(m)
    if not m["sent"]:
        st.info(_("No message sent by this moment."))
        return
    params = view.params(s, as_of)
    span = st.selectbox(_("Charts cover"), SPANS, index=2, format_func=i18n.bound(span_label),
                        key="messages_span")
    p = {**params, "span_hours": span}
    marks = state.frame(s, "launch_markers", params)
    _sends(s, p, marks, as_of)
    _calls_caused(s, view, params, marks, as_of)
    _retractions(s, params, m, marks)
    _contradictions(s, params, m)
    _conflicts(s, params, m)
    _quiet(s, params, m)
    _failures(m, fig["templates_missing_from_catalog"])


run_page(_("Messages"), body, url_keys=("batch",))
