"""The frame every page shares: controls, then a body that follows the launch live."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import streamlit as st

from launchboard.i18n import _
from launchboard.loader import Store
from launchboard.timeutil import local_text

from . import auth, lang, state
from .controls import View, controls


def run_page(title: str, body: Callable[[Store, View, datetime], None], *, caption: str | None = None,
             url_keys: tuple[str, ...] = ()) -> None:
    """Title, sidebar controls, then ``body(store, view, as_of)`` inside a fragment that
    re-runs every ``view.refresh_seconds`` while live (st.fragment(run_every=...)).
    ``url_keys``: the page's own query parameters, which the controls keep in the URL."""
    s = state.store()
    view = controls(s, title, url_keys)
    st.title(title)
    if caption:
        st.caption(caption)

    @st.fragment(run_every=view.refresh_seconds)
    def live_body() -> None:
        lang.apply()  # a timed re-run runs in a thread of its own
        auth.keep_alive()  # an idle session is signed out even while the page refreshes itself
        current = state.store()  # picks up files that arrived since the last run
        as_of = view.as_of(current)
        if as_of is None:
            st.info(_("No data yet in `{folder}`: waiting for the first extract drop. Files in orders/, "
                      "shipments/, activations/, messages/ and calls/ appear here as they arrive.").format(
                folder=current.data_dir))
            return
        st.caption((_("As of **{moment}** ({zone}) · live") if view.live else
                    _("As of **{moment}** ({zone}) · replay")).format(
            moment=local_text(as_of, current.config.tz), zone=current.config.timezone))
        body(current, view, as_of)

    live_body()
