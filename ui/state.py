"""The one DuckDB-backed Store per process, and cached figures on top of it."""
from __future__ import annotations

import os
from datetime import datetime

import streamlit as st

from launchboard import i18n, report
from launchboard.config import ConfigError
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
    unseen = s.unseen()
    if not unseen:
        s.refresh()  # rebuilds what a stopped refresh left, if anything
    else:
        # A first load at 1M orders takes about two minutes: say what is happening meanwhile.
        bar = st.progress(0.0, text=i18n.ngettext("Reading {n} new extract file…", "Reading {n} new extract files…",
                                                  unseen).format(n=num(unseen)))
        s.refresh(progress=lambda done, total: bar.progress(done / total, text=_loading_text(done, total)))
        bar.empty()
    if s.sources_error:  # launch.toml was changed into something invalid while the dashboard runs
        st.warning(_("launch.toml's [[sources]] were not taken: {error}").format(error=plain(s.sources_error)),
                   icon=":material/warning:")
    return s


def _loading_text(done: int, total: int) -> str:
    if done < total:
        return _("Read {done} of {total} new extract files…").format(done=num(done), total=num(total))
    return i18n.ngettext("Read {n} new extract file; building the current tables and stage timeline…",
                         "Read {n} new extract files; building the current tables and stage timeline…",
                         total).format(n=num(total))


@st.cache_data(ttl=CACHE_TTL, show_spinner=False, max_entries=256)
def _report(path: str, version: int, as_of: datetime | None, scope: Scope, lang: str, _store: Store) -> dict:
    # Keyed by language: the alerts' messages are text in it.
    with i18n.use(lang):
        return report.build(_store, as_of, scope)


def figures(s: Store, as_of: datetime | None, scope: Scope = Scope()) -> dict:
    """The report dict (spec 5) for this moment and filters: the numbers every page shows."""
    return _report(str(s.data_dir), s.version, as_of, scope, i18n.current(), s)


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
