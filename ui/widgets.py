"""Small display pieces the pages share."""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pandas as pd
import streamlit as st

from launchboard import i18n
from launchboard.charts.common import with_fonts
from launchboard.charts.status import kpi_tiles
from launchboard.i18n import _

from . import auth, state
from .columns import csv_frame, labels, shown_values


def span_label(hours: int) -> str:
    """A "Charts cover" choice: the last 24 h, 3 days or 7 days."""
    return _("Last 24 h") if hours == 24 else i18n.ngettext("Last {n} day", "Last {n} days", hours // 24).format(
        n=hours // 24)


def chart(ch, key: str, where=st, **kwargs) -> None:
    """An Altair chart with the Korean-capable font list (launchboard.i18n.FONTS)."""
    where.altair_chart(with_fonts(ch), key=key, **kwargs)


def table(df: pd.DataFrame, key: str, *, where=st, column_config: dict | None = None, **kwargs) -> None:
    """A table as people read it: headers and stage/severity words in the session's language
    (the frame keeps its column names), no index."""
    where.dataframe(shown_values(df), hide_index=True, key=key, column_config=labels(df, column_config), **kwargs)


def download(label: str, make: Callable[[], str | bytes], name: str, mime: str, *, key: str, where=st,
             icon: str | None = None) -> None:
    """A download button whose file is made when it is clicked (deferred ``data``), and recorded
    in the access log then (who, which file, from which page).

    Made on click: a live page re-runs every few seconds, and a file made on every run would be
    stored, fetched by every open browser and replaced each time (a browser could then ask for
    the replaced file and get a 404).

    A click does not re-run the page (``on_click="ignore"``): nothing on it changes, and the
    re-run's new button could replace the clicked one before the browser had started the
    download, which then never came (seen in Chromium about one click in four)."""
    who = auth.who()  # the click is served off the page: capture the user now
    lang = i18n.current()  # ... and the language: the file is made outside this run

    def logged():
        who.record("download", target=name, detail=label)
        with i18n.use(lang):
            return make()

    where.download_button(label, logged, name, mime, key=key, icon=icon, on_click="ignore")


def csv_text(df: pd.DataFrame, *, translate: bool = True) -> str:
    """A table's CSV as shown: headers and words in the session's language (``translate``; an
    Explore result keeps the analyst's own column names). A Korean file starts with a byte-order
    mark, so that a spreadsheet opens its Hangul as UTF-8."""
    text = (csv_frame(df) if translate else df).to_csv(index=False)
    return ("\ufeff" + text) if i18n.current() == "ko" else text


def csv_download(df: pd.DataFrame, name: str, key: str, label: str | None = None, *, where=st,
                 icon: str | None = None, translate: bool = True) -> None:
    """A CSV download of a table as shown (every table on every page has one)."""
    download(label or _("Download (CSV)"), lambda: csv_text(df, translate=translate), name, "text/csv", key=key,
             where=where, icon=icon)


def show_table(df: pd.DataFrame, name: str, key: str, **kwargs) -> None:
    """A table with its CSV download; widget keys are ``<key>_table`` and ``<key>_csv``."""
    table(df, key + "_table", **kwargs)
    csv_download(df, name, key + "_csv")


def impact_columns(window_hours: float) -> dict:
    """Column labels and formats of the calls-by-batch table (charts.messages.impact_frame)."""
    return {
        "rank": st.column_config.NumberColumn(_("Rank"), width="small"),
        "batch_id": _("Batch"), "template": _("Template"),
        "first_sent": st.column_config.DatetimeColumn(_("First sent"), format="YYYY-MM-DD HH:mm"),
        "customers_reached": st.column_config.NumberColumn(_("Customers reached"), format="localized"),
        "calls": st.column_config.NumberColumn(_("Calls within {hours} h").format(hours=f"{window_hours:g}"),
                                               format="localized"),
        "baseline": st.column_config.NumberColumn(_("Baseline"), format="%.1f"),
        "baseline_method": _("Baseline from"),
        "excess": st.column_config.NumberColumn(_("Excess calls"), format="%.1f"),
        "rate_ratio": st.column_config.NumberColumn(_("x normal"), format="%.1f"),
        "load_share": st.column_config.NumberColumn(_("Share of calls"), format="percent",
                                                    help=_("Of every call that arrived in the batch's window")),
        "reasons": _("Reasons"),
    }


def launch_tiles(s, view, as_of) -> dict:
    """The launch status KPI tiles against one hour earlier; returns the figures at ``as_of``."""
    now = state.figures(s, as_of, view.scope)
    hour_ago = state.headline(s, as_of - timedelta(hours=1), view.scope)
    for col, tile in zip(st.columns(6), kpi_tiles(now, hour_ago)):
        col.metric(tile.label, tile.value, tile.delta, delta_color=tile.delta_color, help=tile.help,
                   delta_description=_("vs 1 h earlier"))
    return now
