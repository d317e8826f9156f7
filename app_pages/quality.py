"""Data quality: what arrived, what loaded, what was rejected and why, and a reconciliation
that visibly adds up (spec 3: nothing is lost)."""
import pandas as pd
import streamlit as st

from launchboard import i18n, metrics, sql
from launchboard.i18n import _, num
from launchboard.readers import READERS
from launchboard.schema import PERSONAL_COLUMNS, TABLES
from launchboard.sources import value_map_snippet
from launchboard.text import plain
from ui import state
from ui.page import run_page
from ui.widgets import csv_download, csv_text, download
from ui.widgets import table as data_table

SHOWN_REJECTS = 1_000  # rejected rows shown per table; the CSV has them all
SHOWN_REASONS = 20  # reasons for a rebuild from scratch listed (a folder of files replaced: the first)
FIGURES = ["files", "files_rejected", "rows_read", "rows_accepted", "rows_rejected", "superseded", "orphans"]
FIGURE_LABELS = {"files": i18n.N_("files"), "files_rejected": i18n.N_("files rejected"),
                 "rows_read": i18n.N_("rows read"), "rows_accepted": i18n.N_("rows accepted"),
                 "rows_rejected": i18n.N_("rows rejected"), "superseded": i18n.N_("superseded"),
                 "orphans": i18n.N_("orphans")}


def _mark(ok: bool) -> str:
    return ":green[✓]" if ok else ":red[✗ " + _("does not add up") + "]"


def _equations(table: str, i: dict, r: pd.Series) -> tuple[str, bool]:
    """The two spec 3 identities with this table's numbers; read = the loader's per-file counts."""
    read, acc, rej, sup = int(r["file_rows_read"]), i["rows_accepted"], i["rows_rejected"], i["superseded"]
    keys = int(r["distinct_keys"])
    ok_read = read == acc + rej == i["rows_read"] and rej == int(r["rejected_listed"])
    ok_keys = acc == keys + sup == int(r["accepted_stored"])
    text = (_("**{table}** — rows read {read} = accepted {accepted} + rejected {rejected}").format(
                table=table, read=num(read), accepted=num(acc), rejected=num(rej)) + f" {_mark(ok_read)} · "
            + _("accepted {accepted} = distinct keys {keys} + superseded {superseded}").format(
                accepted=num(acc), keys=num(keys), superseded=num(sup)) + f" {_mark(ok_keys)}")
    return text, ok_read and ok_keys


def _all_rejected_csv(s, table: str):
    def make() -> str:
        cur = s.cursor()
        try:
            return csv_text(sql.run(cur, "quality_rejected_rows", {"table_name": table, "max_rows": None}).df())
        finally:
            cur.close()
    return make


def _table_tab(s, table: str, i: dict, files: pd.DataFrame, reasons: pd.DataFrame) -> None:
    mine = files[files["table_name"] == table].drop(columns="table_name")
    if mine.empty:
        st.info(_("No {table} file has arrived yet.").format(table=table))
        return
    st.markdown(_("**Files** ({files}; {rejected} rejected whole)").format(files=num(len(mine)),
                                                                          rejected=num(i["files_rejected"])))
    data_table(mine, f"quality_files_{table}",
               column_order=["file", "arrived_at", "status", "rows_read", "rows_rejected", "reason", "source",
                             "bytes", "encoding", "loaded_at"],
               column_config={"rows_read": _("rows read"), "rows_rejected": _("rows rejected"),
                              "arrived_at": st.column_config.DatetimeColumn(_("arrived"), format="YYYY-MM-DD HH:mm:ss"),
                              "loaded_at": st.column_config.DatetimeColumn(_("loaded"), format="YYYY-MM-DD HH:mm:ss"),
                              "bytes": st.column_config.NumberColumn(format="localized"),
                              "reason": st.column_config.TextColumn(_("reason (file rejected whole)"), width="large")})
    csv_download(mine, f"files_{table}.csv", f"quality_files_csv_{table}", _("Files CSV"), icon=":material/download:")
    for row in mine[mine["status"] == "rejected"].itertuples():
        st.error(_("File **{file}** rejected whole: {reason}").format(file=plain(row.file), reason=plain(row.reason)),
                 icon=":material/block:")

    st.markdown(_("**Rejected rows: {n}**").format(n=num(i["rows_rejected"])))
    if i["rows_rejected"]:
        why = reasons[reasons["table_name"] == table].drop(columns="table_name")
        data_table(why, f"quality_reasons_{table}")
        shown = state.frame(s, "quality_rejected_rows", {"table_name": table, "max_rows": SHOWN_REJECTS})
        if i["rows_rejected"] > SHOWN_REJECTS:
            st.caption(_("Showing the first {shown} by file and line; the CSV has all {n}.").format(
                shown=num(SHOWN_REJECTS), n=num(i["rows_rejected"])))
        data_table(shown, f"quality_rejects_{table}",
                   column_config={"reason": st.column_config.TextColumn(width="large"),
                                  "content": st.column_config.TextColumn(width="large")})
        download(i18n.ngettext("All {n} rejected {table} row (CSV)", "All {n} rejected {table} rows (CSV)",
                               i["rows_rejected"]).format(n=num(i["rows_rejected"]), table=table),
                 _all_rejected_csv(s, table), f"rejected_{table}.csv", "text/csv", key=f"quality_rejects_csv_{table}",
                 icon=":material/download:")
    if TABLES[table].has_order_id:
        st.markdown(_("**Orphans: {n}**: rows whose order_id is not in orders (loaded and counted; the orders "
                      "extract may lag).").format(n=num(i["orphans"])) if i["orphans"] else
                    _("**Orphans: {n}**").format(n=0))


SOURCE_FIGURES = {"files": i18n.N_("files"), "files_rejected": i18n.N_("files rejected"),
                  "rows_read": i18n.N_("rows read"), "rows_accepted": i18n.N_("accepted"),
                  "rows_rejected": i18n.N_("rejected"), "rows_unmapped": i18n.N_("of which unknown values")}


def _sources(s, sources: list[dict]) -> None:
    """Per launch.toml source: what it read, and the values its maps do not know yet, with the
    launch.toml lines that would map them (the next refresh reads those files again)."""
    per = state.frame(s, "quality_sources", {})
    if per.empty:
        return
    st.subheader(_("Sources (launch.toml)"))
    st.caption(_("Files read through launch.toml's [[sources]]: their columns and values mapped to the contract's. "
                 "Rows accepted are counted as stored, rows rejected as listed; a row with a value no map knows "
                 "is rejected and counted below."))
    per["adds up"] = ["✓" if r.rows_read == r.rows_accepted + r.rows_rejected else "✗" for r in per.itertuples()]
    data_table(per.drop(columns="values_unmapped"), "quality_sources",
               column_config={"table_name": _("table"), "matches": _("files matched"),
                              **{k: st.column_config.NumberColumn(_(label), format="localized")
                                 for k, label in SOURCE_FIGURES.items()}})
    _not_rows(sources)
    unmapped = state.frame(s, "quality_unmapped", {})
    if unmapped.empty:
        st.success(_("Every value in the sources' mapped columns is known."), icon=":material/check_circle:")
        return
    st.markdown(_("**Values no map knows: {values}** ({rows} rows rejected)").format(
        values=num(len(unmapped)), rows=num(int(unmapped["rows"].sum()))))
    data_table(unmapped, "quality_unmapped",
               column_config={"table_name": _("table"), "column_name": _("column"),
                              "rows": st.column_config.NumberColumn(format="localized")})
    st.caption(_("To load these rows, say in launch.toml what each value is (paste under the source's [[sources]] "
                 "entry and fill in the contract values): the next refresh reads its files again."))
    formats = dict(zip(per["source"], per["format"]))
    for source, rows in unmapped.groupby("source", sort=False):
        fixes = READERS[formats[source]].fixes if formats.get(source) in READERS else {}
        st.code(value_map_snippet(source, list(zip(rows["column_name"], rows["value"], rows["rows"])), fixes),
                language="toml")


def _not_rows(sources: list[dict]) -> None:
    """Per log source: what its files hold besides rows (lines of other events, calls still
    open, inbound messages …) and how its rows found their customer from a phone number."""
    for figures in sources:
        source = figures["source"]
        rows = [{"figure": metrics.not_rows_label(k), "count": n} for k, n in figures.get("not_rows", {}).items()]
        rows += [{"figure": metrics.customer_match_label(how), "count": n}
                 for how, n in figures.get("customers", {}).items()]
        if rows:
            st.markdown(_("**{source}**: besides its rows").format(source=plain(source)))
            data_table(pd.DataFrame(rows), f"quality_not_rows_{source}",
                       column_config={"count": st.column_config.NumberColumn(format="localized")})


def _personal(s) -> None:
    st.subheader(_("Personal data not stored"))
    st.caption(_("Customers' names, e-mail and postal addresses, birth dates and resident registration numbers are "
                 "never stored: a column with such a name (고객명, 성명, 이름, customer_name, name, …) is left out "
                 "when a file is read, and out of a rejected row's kept content. Phone numbers are stored but shown "
                 "masked (010-****-5678) on every page and in every download."))
    withheld = s.withheld()
    if not withheld:
        st.success(_("No file so far had such a column."), icon=":material/privacy_tip:")
    else:
        left_out = pd.DataFrame([{"table": t, "column": c, "files": len(f), "file names": ", ".join(f)}
                                 for t, cols in withheld.items() for c, f in cols.items()])
        data_table(left_out, "quality_withheld")
    with st.expander(_("Every column name left out")):
        st.caption(plain(", ".join(sorted(PERSONAL_COLUMNS))) + " " + _("(and repeats such as name\\_2)."))


def _rebuilt(s) -> None:
    """Why the launch was built again from scratch when the server last started, if it was."""
    rebuilt = state.frame(s, "quality_rebuilt", {})
    if rebuilt.empty:
        return
    when = i18n.when(rebuilt["rebuilt_at"].iloc[0].to_pydatetime(), s.config.tz)
    reasons = state.rebuild_reasons(rebuilt.itertuples())
    shown = reasons[:SHOWN_REASONS] + ([_("and {n} more").format(n=num(len(reasons) - SHOWN_REASONS))]
                                       if len(reasons) > SHOWN_REASONS else [])
    st.warning(_("The launch was built again from scratch when the server started ({when}), because:").format(when=when)
               + "\n" + "\n".join("- " + plain(r) for r in shown), icon=":material/restart_alt:")


def body(s, view, as_of):
    st.caption(_("Everything loaded so far: these figures describe the files received, not a moment of the "
                 "launch, and do not follow the sidebar filters."))
    _rebuilt(s)
    rep = state.figures(s, as_of, view.scope, sections=("ingest", "sources"))
    ingest = rep["ingest"]
    rec = state.frame(s, "quality_reconcile", {}).set_index("table_name")
    files = state.frame(s, "quality_files", {})
    reasons = state.frame(s, "quality_reject_reasons", {})

    lines = [_equations(t, ingest[t], rec.loc[t]) for t in TABLES]
    overview = pd.DataFrame([{"table": t, **{k: ingest[t][k] for k in FIGURES}, "adds up": "✓" if ok else "✗"}
                             for t, (_, ok) in zip(TABLES, lines)])
    st.subheader(_("Received and loaded"))
    data_table(overview, "quality_overview",
               column_config={k: st.column_config.NumberColumn(_(FIGURE_LABELS[k]), format="localized")
                              for k in FIGURES})
    csv_download(overview, "ingest_summary.csv", "quality_overview_csv", _("Summary CSV"), icon=":material/download:")

    st.subheader(_("Reconciliation"))
    st.caption(_("Rows read are the loader's counts file by file; distinct keys are counted among the accepted rows "
                 "(every version) as the files arrive, apart from the rule that picks each key's current version."))
    st.markdown("\n".join(f"- {text}" for text, _ in lines))

    _sources(s, rep["sources"])

    st.subheader(_("By table"))
    tabs = st.tabs([_("{table} ({files} files, {rejected} rejected rows)").format(
        table=t, files=num(ingest[t]["files"]), rejected=num(ingest[t]["rows_rejected"])) for t in TABLES])
    for tab, t in zip(tabs, TABLES):
        with tab:
            _table_tab(s, t, ingest[t], files, reasons)

    _personal(s)


run_page(_("Data quality"), body)
