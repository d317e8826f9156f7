"""Explore (SQL): analysts query curated copies of the launch tables in a locked-down sandbox."""
import io

import pyarrow.parquet as pq
import streamlit as st

from launchboard.charts import explore as charts
from launchboard.sandbox import EXAMPLES, VIEWS, Sandbox, SandboxError
from launchboard.text import plain
from launchboard.timeutil import local_text
from ui import auth, state
from ui.page import run_page
from ui.widgets import csv_download, download

TIME_LIMIT = 10.0  # seconds before a query is interrupted
ROW_CAP = 5_000  # rows shown and downloaded


@st.cache_resource(max_entries=2, show_spinner="Reading the curated tables' columns and row counts…",
                   on_release=lambda box: box.close())
def _sandbox(path: str, version: int, as_of, _s) -> Sandbox:
    return Sandbox(_s, as_of)


@st.cache_data(ttl=300, max_entries=32,
               show_spinner="Running the query (a table's first query copies it into the sandbox)…")
def _run(path: str, version: int, as_of, query: str, _box: Sandbox):
    return _box.run(query, time_limit=TIME_LIMIT, row_cap=ROW_CAP)


def _use_example() -> None:
    name = st.session_state.get("explore_example")
    if name:
        st.session_state["explore_sql"] = EXAMPLES[name]


def _remember() -> None:
    st.session_state["explore_ran"] = st.session_state["explore_sql"]


def _schema(box: Sandbox, as_of, tz) -> None:
    st.subheader("Tables")
    counts = box.row_counts()
    schema = box.schema()
    for name, (_, what) in VIEWS.items():
        with st.expander(f"`{name}` · {counts[name]:,} rows"):
            st.caption(what + (f" (stage as of {local_text(as_of, tz)})" if name == "order_stages" else ""))
            st.dataframe(schema[schema["table"] == name][["column", "type"]], hide_index=True,
                         key=f"explore_schema_{name}")


def _parquet(table) -> bytes:
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def _result(s, view, as_of, box: Sandbox, query: str) -> None:
    try:
        res = _run(str(s.data_dir), s.version, as_of, query, box)
    except SandboxError as exc:
        st.error(plain(exc), icon=":material/block:")
        return
    df = res.frame()
    note = f"{len(df):,} rows in {res.seconds:.2f} s"
    if res.copied:
        note += (f"; first query on {', '.join(f'`{t}`' for t in res.copied)}: copied into the sandbox "
                 f"in {res.copy_seconds:.1f} s before it ran")
    if res.truncated:
        st.warning(f"Truncated: the query returned more than {ROW_CAP:,} rows; the first {ROW_CAP:,} are shown "
                   "and downloaded. Aggregate or add a LIMIT.", icon=":material/content_cut:")
    st.caption(note)
    st.dataframe(df, hide_index=True, key="explore_result")
    left, right = st.columns(2)
    csv_download(df, "query.csv", "explore_dl_csv", where=left)
    download("Download (Parquet)", lambda: _parquet(res.table), "query.parquet", "application/vnd.apache.parquet",
             key="explore_dl_parquet", where=right)
    chart = charts.quick_chart(df, s.config.tz, state.frame(s, "launch_markers", {"as_of": as_of}))
    if chart is None:
        st.caption("Quick chart: needs a first column and a numeric column after it.")
    else:
        st.caption(f"Quick chart: {plain(df.columns[0])} against the first numeric column.")
        st.altair_chart(chart, key="explore_chart")


def body(s, view, as_of):
    tz = s.config.tz
    box = _sandbox(str(s.data_dir), s.version, as_of, s)
    left, right = st.columns([1, 3])
    with left:
        _schema(box, as_of, tz)
    with right:
        st.caption(f"One SELECT (or WITH … SELECT) at a time, read-only, no file or network access; "
                   f"stopped after {TIME_LIMIT:g} s; at most {ROW_CAP:,} rows. Times are in {s.config.timezone}; "
                   "phone numbers are masked. Page filters do not apply here. A table is copied into the "
                   "sandbox the first time a query reads it.")
        st.selectbox("Example queries", list(EXAMPLES), index=None, placeholder="Start from an example…",
                     key="explore_example", on_change=_use_example)
        st.session_state.setdefault("explore_sql", next(iter(EXAMPLES.values())))
        st.text_area("SQL", key="explore_sql", height=180)
        ran = st.button("Run", key="explore_run", type="primary", icon=":material/play_arrow:", on_click=_remember)
        query = st.session_state.get("explore_ran")
        if ran:
            auth.record("explore_query", detail=query)
        if query is None:
            st.info("Write a query or pick an example, then press **Run**.")
        else:
            _result(s, view, as_of, box, query)


run_page("Explore (SQL)", body)
