"""The language of this browser session: the launch's locale until someone switches, kept in the
URL (``?lang=ko`` / ``?lang=en``) so that a copied link opens in the same language.

``resolve()`` runs first in every script run (app.py) and sets the language of the run
(``launchboard.i18n``, a context variable: never shared between sessions); ``apply()`` sets it
again where Streamlit runs code outside the main run (a fragment's timed re-run, a callback).
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from launchboard import i18n
from launchboard.config import ConfigError, load_config
from launchboard.i18n import _
from launchboard.text import plain

from . import state

KEY = "lang"  # the switch's widget key and the URL parameter
CHOSEN = "_lb_lang"  # the session's language, also when the switch was not drawn in a run
IGNORED = "_lb_lang_ignored"  # a ?lang= value that is no language: said once, next to the switch


def launch_default() -> str:
    """launch.toml's [launch] locale; English when launch.toml is missing or invalid (the app
    says why elsewhere)."""
    data = Path(state.data_dir())
    try:
        return load_config(data).locale if data.is_dir() else i18n.DEFAULT
    except ConfigError:
        return i18n.DEFAULT


def resolve() -> str:
    """This run's language: the switch, else (first run) ``?lang=`` from the URL, else the
    launch's locale. Sets it for the run and keeps the URL in step."""
    ss = st.session_state
    lang = ss.get(KEY) or ss.get(CHOSEN)
    if lang not in i18n.LANGS:
        asked = st.query_params.get(KEY)
        if asked in i18n.LANGS:
            lang = asked
        else:
            lang = launch_default()
            if asked is not None:
                ss[IGNORED] = asked
    ss[CHOSEN] = lang
    if ss.get(KEY) != lang:
        ss[KEY] = lang
    i18n.set_language(lang)
    if st.query_params.get(KEY) != lang:
        st.query_params[KEY] = lang
    return lang


def apply() -> str:
    """Set the session's language for code that runs outside the main script run."""
    lang = st.session_state.get(CHOSEN, i18n.DEFAULT)
    i18n.set_language(lang if lang in i18n.LANGS else i18n.DEFAULT)
    return i18n.current()


def switch(where=st.sidebar) -> None:
    """The language switch (its label in both languages: anyone can find it)."""
    where.segmented_control("언어 · Language", i18n.LANGS, format_func=i18n.NAMES.get, key=KEY, required=True,
                            width="stretch")
    asked = st.session_state.pop(IGNORED, None)
    if asked is not None:
        where.warning(_("Ignored in the link: lang={value}: use ko (한국어) or en (English).").format(
            value=plain(asked)), icon=":material/link_off:")
