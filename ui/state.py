"""The one DuckDB-backed Store per process, and cached figures on top of it."""
from __future__ import annotations

import os
from datetime import datetime

import streamlit as st

from launchboard import i18n, report, review
from launchboard.alerts import ALERT_KINDS
from launchboard.config import ConfigError
from launchboard.history import HistoryCache
from launchboard.i18n import _, num
from launchboard.loader import DataDirError, Store
from launchboard.metrics import Scope
from launchboard.text import plain

DATA_ENV = "LAUNCHBOARD_DATA"
DEFAULT_DATA = "sample_data"
CACHE_TTL = 300  # seconds; keys include the store version, so new data is never stale


def data_dir() -> str:
    return os.environ.get(DATA_ENV, DEFAULT_DATA)


@st.cache_resource(show_spinner=False)
def _open(path: str) -> Store:
    # Raises on a missing folder or invalid launch.toml: nothing is cached then.
    return Store(path)


def store() -> Store:
    """The shared Store with any newly arrived files loaded; stops the page on a setup error."""
    try:
        with st.spinner(_("Loading the launch extracts…")):
            s = _open(data_dir())
    except (DataDirError, ConfigError) as exc:
        st.error(_("Launchboard cannot open the launch: {error}").format(error=plain(exc)))
        st.stop()
    if s.state_busy:  # another Launchboard holds the state folder (launchboard.persist)
        st.warning(_("Another Launchboard server (process {pid}) is using this launch's saved state, so this one "
                     "keeps its own copy of the launch: it reads every file itself and does not start faster next "
                     "time. Stop the other server to share the saved launch.").format(pid=plain(s.state_busy)),
                   icon=":material/lock:")
    unseen = s.unseen()
    if not unseen and not s.pending():
        s.refresh()  # nothing to read: the launch as loaded (or as an earlier start left it)
    else:
        # A first load at 1M orders takes about two minutes; a restart reads only new files, or
        # builds the tables a stopped load left: say what is happening meanwhile.
        start = (i18n.ngettext("Reading {n} new extract file…", "Reading {n} new extract files…", unseen)
                 .format(n=num(unseen)) if unseen else _loading_text(0, 0))
        bar = st.progress(0.0, text=_rebuilding(s) + start)
        read = 0  # new files read, for the build's text

        def reading(done: int, total: int) -> None:
            nonlocal read
            read = total
            bar.progress(done / total if total else 1.0, text=_rebuilding(s) + _loading_text(done, total))

        def building(step: str) -> None:
            bar.progress(1.0, text=_rebuilding(s) + _building_text(read, step))

        s.refresh(progress=reading, building=building)
        bar.empty()
    # The incident review's alert history of this version, evaluated in the background now rather
    # than when a reviewer first opens the page (seconds at 1M orders).
    history_cache(str(s.data_dir)).warm(s, review.replay_moments)
    if s.sources_error:  # launch.toml was changed into something invalid while the dashboard runs
        st.warning(_("launch.toml's [[sources]] were not taken: {error}").format(error=plain(s.sources_error)),
                   icon=":material/warning:")
    return s


@st.cache_resource(show_spinner=False)
def history_cache(path: str) -> HistoryCache:
    """The alert history of the launch in ``path``, one per process, shared by every session: after
    a drop only the moments it may change are evaluated again."""
    return HistoryCache()


def _rebuilding(s: Store) -> str:
    """Before the progress text while a start builds the launch again from scratch: why."""
    if not s.rebuilt or s.version:
        return ""
    return _("Building the launch again from scratch ({why}). ").format(why=plain(rebuild_reasons(s.rebuilt)[0]))


def rebuild_reasons(reasons) -> list[str]:
    """Why the launch was built again from scratch (``launchboard.persist.Reason``, or rows of
    ``quality_rebuilt``), one sentence each, in the language of the run."""
    return [_rebuild_reason(r.kind, r.file, r.detail) for r in reasons]


WHAT_CHANGED = {"size": i18n.N_("size"), "modification time": i18n.N_("modification time"),
                "content": i18n.N_("content")}


def _rebuild_reason(kind: str, file: str | None, detail: str | None) -> str:
    if kind == "changed":
        what = ", ".join(_(WHAT_CHANGED.get(w, w)) for w in (detail or "").split(", ") if w)
        return _("{file} changed since it was read ({what})").format(file=file, what=what)
    if kind == "disappeared":
        return _("{file} is no longer in the data folder").format(file=file)
    if kind == "version":
        return _("the saved launch was written by another version of Launchboard")
    if kind == "settings":
        return _("launch.toml settings that change what is stored changed: {settings}").format(settings=detail)
    if kind == "folder":
        return _("the saved launch was of another data folder")
    if kind == "unreadable":
        return _("the saved launch could not be opened")
    return _("the start before stopped before the saved launch was set up")


def _loading_text(done: int, total: int) -> str:
    if not total:
        return _("Building the current tables and stage timeline…")
    if done < total:
        return _("Read {done} of {total} new extract files…").format(done=num(done), total=num(total))
    return i18n.ngettext("Read {n} new extract file; building the current tables and stage timeline…",
                         "Read {n} new extract files; building the current tables and stage timeline…",
                         total).format(n=num(total))


# What each step of a whole rebuild (derive.BUILD_STEPS) does, for the progress bar.
BUILD_WORDS = {
    "orders": i18n.N_("building the current orders"),
    "activations": i18n.N_("building the current activation attempts"),
    "calls": i18n.N_("building the current calls"),
    "messages": i18n.N_("building the current messages"),
    "shipments": i18n.N_("building the current courier scans"),
    "order_facts": i18n.N_("building the order facts"),
    "attempt_facts": i18n.N_("building the activation attempt facts"),
    "stage_timeline": i18n.N_("building the stage timeline"),
    "stage_spans": i18n.N_("building the stage spans the alert history reads"),
    "message_facts": i18n.N_("building the message facts"),
    "customer_facts": i18n.N_("building the customer facts"),
    "orphan_rows": i18n.N_("finding the orphan rows"),
    "call_facts": i18n.N_("building the call facts"),
    "message_conflicts": i18n.N_("finding the customers sent conflicting messages"),
    "batch_facts": i18n.N_("finding who each message batch reached"),
    "checkpoint": i18n.N_("compressing the saved launch"),
}


def _building_text(read: int, step: str) -> str:
    """The bar's text as a step of the rebuild begins, after ``read`` new files (0: none)."""
    doing = _(BUILD_WORDS[step])
    if not read:  # a stopped load's tables: the step alone, as a sentence
        return doing[:1].upper() + doing[1:] + "…"
    return i18n.ngettext("Read {n} new extract file; {doing}…",
                         "Read {n} new extract files; {doing}…", read).format(n=num(read), doing=doing)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=256)
def _report(path: str, version: int, as_of: datetime | None, scope: Scope, lang: str, sections: tuple[str, ...],
            alert_kinds: tuple[str, ...], _store: Store) -> dict:
    # Keyed by language: the alerts' messages are text in it.
    with i18n.use(lang):
        return report.build(_store, as_of, scope, impact=False, sections=sections, alert_kinds=alert_kinds)


def figures(s: Store, as_of: datetime | None, scope: Scope = Scope(), *,
            sections: tuple[str, ...] = report.SECTIONS, alert_kinds: tuple[str, ...] = ALERT_KINDS) -> dict:
    """The report dict (spec 5) for this moment and filters: the numbers every page shows. Its
    ``messages`` leave out ``call_impact``, which only two pages show: ``call_impact``.
    ``sections`` and ``alert_kinds`` keep only the figures a page shows (``report.build``)."""
    return _report(str(s.data_dir), s.version, as_of, scope, i18n.current(), tuple(sections), tuple(alert_kinds), s)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=64)
def _headline(path: str, version: int, as_of: datetime, scope: Scope, _store: Store) -> dict:
    return report.headline(_store, as_of, scope)


def headline(s: Store, as_of: datetime, scope: Scope = Scope()) -> dict:
    """The report's orders, activations, calls and message counts alone (``report.headline``):
    what the KPI tiles compare with one hour earlier."""
    return _headline(str(s.data_dir), s.version, as_of, scope, s)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=64)
def _call_impact(path: str, version: int, as_of: datetime | None, scope: Scope, _store: Store) -> list[dict]:
    return report.call_impact(_store, as_of, scope)


def call_impact(s: Store, as_of: datetime | None, scope: Scope = Scope()) -> list[dict]:
    """The report's ``messages.call_impact`` for this moment and filters (cached)."""
    return _call_impact(str(s.data_dir), s.version, as_of, scope, s)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=512)
def _frame(path: str, version: int, name: str, params_key: tuple, _params: dict, _store: Store):
    from launchboard import sql

    cur = _store.cursor()
    try:
        return sql.run(cur, name, _params).df()
    finally:
        cur.close()


def frame(s: Store, name: str, params: dict):
    """A small, already aggregated result of ``queries/<name>.sql`` as a DataFrame (cached)."""
    key = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))
    return _frame(str(s.data_dir), s.version, name, key, params, s)
