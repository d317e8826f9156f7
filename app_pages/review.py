"""Incident review: replay the launch hour by hour, alert history, one timeline, report export."""
from datetime import datetime

import pandas as pd
import streamlit as st

from launchboard import i18n, review
from launchboard.charts import review as charts
from launchboard.i18n import _, num, pct
from launchboard.timeutil import iso, local_text
from ui import state
from ui.page import run_page
from ui.widgets import chart, csv_download, download, table


@st.cache_data(ttl=300, show_spinner=False, max_entries=8)
def _moments(path: str, version: int, _s) -> list[datetime]:
    return review.replay_moments(_s)


def _step(labels: list[str], delta: int) -> None:
    i = labels.index(st.session_state["review_hour"]) + delta
    st.session_state["review_hour"] = labels[max(0, min(len(labels) - 1, i))]


def _share(moment: datetime, tz) -> None:
    local = moment.astimezone(tz)
    st.session_state["as_of_mode"] = "Moment"
    st.session_state["as_of_date"] = local.date()
    st.session_state["as_of_time"] = local.time().replace(second=0, microsecond=0)


def _seed(labels: list[str], moments: list[datetime], view, as_of: datetime, tz) -> None:
    """Start the replay at the page's moment; follow the sidebar when its chosen moment changes."""
    anchor = None if view.live else local_text(as_of, tz)
    if st.session_state.get("review_hour") in labels and st.session_state.get("_review_anchor") == anchor:
        return
    before = [label for label, m in zip(labels, moments) if m <= as_of]
    st.session_state["review_hour"] = before[-1] if before else labels[0]
    st.session_state["_review_anchor"] = anchor


def _replay(s, view, as_of, moments: list[datetime]) -> datetime:
    tz = s.config.tz
    labels = [local_text(m, tz) for m in moments]
    if len(labels) < 2:
        st.caption(_("Only one moment to replay: {moment}.").format(moment=labels[0]))
        return moments[0]
    _seed(labels, moments, view, as_of, tz)
    prev, slider, nxt = st.columns([1, 12, 1], vertical_alignment="bottom")
    current = st.session_state["review_hour"]
    prev.button("", key="review_prev", icon=":material/chevron_left:", help=_("One step earlier"),
                on_click=_step, args=(labels, -1), disabled=current == labels[0])
    nxt.button("", key="review_next", icon=":material/chevron_right:", help=_("One step later"),
               on_click=_step, args=(labels, 1), disabled=current == labels[-1])
    step = review.step_of(moments)
    slider.select_slider(_("Replay moment ({zone}; every {hours} h, last = live T)").format(
        zone=s.config.timezone, hours=f"{step / review.STEP:g}") if step else _("Replay moment"),
        options=labels, key="review_hour")
    moment = moments[labels.index(st.session_state["review_hour"])]
    shared = not view.live and local_text(as_of, tz) == st.session_state["review_hour"]
    if st.button(_("Show every page at this moment"), key="review_share", icon=":material/sync:", disabled=shared,
                 on_click=_share, args=(moment, tz),
                 help=_("Sets the sidebar's As of to this moment, so the other pages replay it too.")):
        st.rerun()
    return moment


def _subjects(frame: pd.DataFrame) -> pd.DataFrame:
    """Alerts' subjects as shown (a stalled stage in words)."""
    return frame.assign(subject=[i18n.alert_subject(k, v) for k, v in zip(frame["kind"], frame["subject"])])


def _figures(s, view, moment: datetime) -> dict:
    fig = state.figures(s, moment, view.scope, sections=("orders", "activations", "calls", "alerts"))
    o, a, c = fig["orders"], fig["activations"], fig["calls"]
    lost = None if not c["offered"] else (c["abandoned"] + c["rejected"]) / c["offered"]
    cols = st.columns(6)
    cols[0].metric(_("Orders"), num(o["total"]))
    cols[1].metric(_("Delivered"), num(o["by_stage"]["delivered"]))
    cols[2].metric(_("Activated"), num(o["by_stage"]["activated"]))
    cols[3].metric(_("Activation failure rate"), pct(a["failure_rate"]))
    cols[4].metric(_("Calls abandoned + rejected"), pct(lost))
    cols[5].metric(_("Alerts raised"), num(len(fig["alerts"])))
    st.subheader(_("Alerts at {moment}").format(moment=local_text(moment, s.config.tz)))
    if fig["alerts"]:
        alerts = _subjects(pd.DataFrame(fig["alerts"])[["severity", "kind", "subject", "since", "count", "message"]])
        table(alerts, "review_alerts")
        csv_download(alerts, "alerts_at_moment.csv", "review_alerts_csv")
    else:
        st.success(_("No alert is raised at this moment."))
    return fig


def _timeline(s, view, moment: datetime, moments: list[datetime], periods) -> None:
    tz = s.config.tz
    params = view.params(s, moment)
    hourly = state.frame(s, "review_hourly", {**params, "start": moments[0]})
    marks = state.frame(s, "launch_markers", params)
    st.subheader(_("Launch timeline"))
    now, domain = charts.local(moment, tz), (charts.local(moments[0], tz), charts.local(moments[-1], tz))
    chart(charts.legend_on_top(charts.series_chart(hourly, marks, now, domain)), key="review_timeline")
    frame = charts.periods_frame(periods, moment, tz)
    if not frame.empty:
        chart(charts.legend_on_top(charts.periods_chart(frame, now, domain)), key="review_periods")
    csv_download(hourly, "timeline_hourly.csv", "review_timeline_csv")


def _history_table(s, periods) -> None:
    tz = s.config.tz
    st.subheader(_("Alert history"))
    st.caption(_("Per alert: the first replay moment its rule held, when it last cleared (empty: still raised at "
                 "the chosen moment), its peak count and how often it was raised."))
    summary = review.alert_summary(periods)
    if summary.empty:
        st.info(_("No alert was raised up to this moment."))
        return
    shown = _subjects(summary.assign(**{c: summary[c].map(lambda t: "" if t is None or pd.isna(t) else local_text(t, tz))
                                       for c in ("first_raised", "cleared", "peak_at")}))
    table(shown, "review_history")
    csv_download(shown, "alert_history.csv", "review_history_csv")


def _export(s, view, moment: datetime, moments: list[datetime], history: list[dict]) -> None:
    tz = s.config.tz
    st.subheader(_("Export an incident report"))
    labels = [local_text(m, tz) for m in moments]
    st.session_state.setdefault("review_window", (labels[0], local_text(moment, tz)))
    if any(v not in labels for v in st.session_state["review_window"]):
        st.session_state["review_window"] = (labels[0], local_text(moment, tz))
    if len(labels) > 1:
        st.select_slider(_("Window (from, to)"), options=labels, key="review_window")
    start_label, end_label = st.session_state["review_window"] if len(labels) > 1 else (labels[0], labels[0])
    start, end = moments[labels.index(start_label)], moments[labels.index(end_label)]
    st.caption(_("The report's figures are those of {command} (whole launch, no filters), followed by the "
                 "window's alert history.").format(
        command=f"`python -m launchboard report --as-of {iso(end, tz)} --format md --lang {i18n.current()}`"))
    unfiltered = history if not view.scope.active else None

    def incident():
        return review.incident(s, start, end, moments=moments, history=unfiltered)

    stamp = end.astimezone(tz).strftime("%Y%m%d-%H%M")
    left, right = st.columns(2)
    download(_("Download Markdown"), lambda: review.to_markdown(incident(), tz), f"incident-report-{stamp}.md",
             "text/markdown", key="review_dl_md", where=left, icon=":material/description:")
    download(_("Download HTML (with charts)"), lambda: review.incident_html(s, incident()),
             f"incident-report-{stamp}.html", "text/html", key="review_dl_html", where=right,
             icon=":material/download:")


def body(s, view, as_of):
    moments = _moments(str(s.data_dir), s.version, s)
    if not moments:
        st.info(_("No event yet: nothing to replay."))
        return
    moment = _replay(s, view, as_of, moments)
    _figures(s, view, moment)
    with st.spinner(_("Evaluating the alerts at every replay moment…")):
        history = state.history_cache(str(s.data_dir)).history(s, moments, view.scope)
    periods = review.alert_periods(history, [m for m in moments if m <= moment])
    _timeline(s, view, moment, moments, periods)
    _history_table(s, periods)
    _export(s, view, moment, moments, history)


run_page(_("Incident review"), body)
