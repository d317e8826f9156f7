"""Explore (SQL): analysts query curated copies of the launch tables in a locked-down sandbox."""
import io

import pyarrow.parquet as pq
import streamlit as st

from launchboard import i18n
from launchboard.charts import explore as charts
from launchboard.i18n import _, num
from launchboard.sandbox import EXAMPLES, VIEWS, Sandbox, SandboxError
from launchboard.text import plain
from launchboard.timeutil import local_text
from ui import auth, state
from ui.page import run_page
from ui.widgets import chart, csv_download, download, table

TIME_LIMIT = 10.0  # seconds before a query is interrupted
ROW_CAP = 5_000  # rows shown and downloaded


@st.cache_resource(max_entries=2, show_spinner=False, on_release=lambda box: box.close())
def _sandbox(path: str, version: int, as_of, _s) -> Sandbox:
    return Sandbox(_s, as_of)


@st.cache_data(ttl=300, max_entries=32, show_spinner=False)
def _run(path: str, version: int, as_of, query: str, lang: str, _box: Sandbox):
    # Keyed by language: a refused query's message is in it (errors are not cached, but say so).
    return _box.run(query, time_limit=TIME_LIMIT, row_cap=ROW_CAP)


def _use_example() -> None:
    name = st.session_state.get("explore_example")
    if name:
        st.session_state["explore_sql"] = EXAMPLES[name]


def _remember() -> None:
    st.session_state["explore_ran"] = st.session_state["explore_sql"]


def _schema(box: Sandbox, as_of, tz) -> None:
    st.subheader(_("Tables"))
    counts = box.row_counts()
    schema = box.schema()
    for name, view in VIEWS.items():
        with st.expander(f"`{name}` · " + i18n.ngettext("{n} row", "{n} rows", counts[name]).format(
                n=num(counts[name]))):
            st.caption(_(view.what) + (" " + _("(stage as of {moment})").format(moment=local_text(as_of, tz))
                                  if name == "order_stages" else ""))
            table(schema[schema["table"] == name][["column", "type"]], f"explore_schema_{name}")


def _parquet(table) -> bytes:
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def _result(s, view, as_of, box: Sandbox, query: str) -> None:
    try:
        with st.spinner(_("Running the query (a table's first query copies it into the sandbox)…")):
            res = _run(str(s.data_dir), s.version, as_of, query, i18n.current(), box)
    except SandboxError as exc:
        st.error(plain(exc), icon=":material/block:")
        return
    df = res.frame()
    note = i18n.ngettext("{n} row in {seconds} s", "{n} rows in {seconds} s", len(df)).format(
        n=num(len(df)), seconds=num(res.seconds, 2))
    if res.copied:
        note += _("; first query on {tables}: copied into the sandbox in {seconds} s before it ran").format(
            tables=", ".join(f"`{t}`" for t in res.copied), seconds=num(res.copy_seconds, 1))
    if res.truncated:
        st.warning(_("Truncated: the query returned more than {cap} rows; the first {cap} are shown and "
                     "downloaded. Aggregate or add a LIMIT.").format(cap=num(ROW_CAP)), icon=":material/content_cut:")
    st.caption(note)
    st.dataframe(df, hide_index=True, key="explore_result")  # the analyst's own columns, as named
    left, right = st.columns(2)
    csv_download(df, "query.csv", "explore_dl_csv", where=left, translate=False)
    download(_("Download (Parquet)"), lambda: _parquet(res.table), "query.parquet", "application/vnd.apache.parquet",
             key="explore_dl_parquet", where=right)
    quick = charts.quick_chart(df, s.config.tz, state.frame(s, "launch_markers", {"as_of": as_of}))
    if quick is None:
        st.caption(_("Quick chart: needs a first column and a numeric column after it."))
    else:
        st.caption(_("Quick chart: {column} against the first numeric column.").format(column=plain(df.columns[0])))
        chart(quick, key="explore_chart")


def body(s, view, as_of):
    tz = s.config.tz
    with st.spinner(_("Reading the curated tables' columns and row counts…")):
        box = _sandbox(str(s.data_dir), s.version, as_of, s)
    left, right = st.columns([1, 3])
    with left:
        _schema(box, as_of, tz)
    with right:
        st.caption(_("One SELECT (or WITH … SELECT) at a time, read-only, no file or network access; stopped after "
                     "{seconds} s; at most {cap} rows. Times are in {zone}; phone numbers are masked. Page filters "
                     "do not apply here. A table is copied into the sandbox the first time a query reads it.").format(
            seconds=f"{TIME_LIMIT:g}", cap=num(ROW_CAP), zone=s.config.timezone))
        st.selectbox(_("Example queries"), list(EXAMPLES), index=None, placeholder=_("Start from an example…"),
                     format_func={k: _(k) for k in EXAMPLES}.get, key="explore_example",
                     on_change=_use_example)
        st.session_state.setdefault("explore_sql", next(iter(EXAMPLES.values())))
        st.text_area("SQL", key="explore_sql", height=180)
        ran = st.button(_("Run"), key="explore_run", type="primary", icon=":material/play_arrow:", on_click=_remember)
        query = st.session_state.get("explore_ran")
        if ran:
            auth.record("explore_query", detail=query)
        if query is None:
            st.info(_("Write a query or pick an example, then press **Run**."))
        else:
            _result(s, view, as_of, box, query)


run_page(_("Explore (SQL)"), body)
