"""Pieces every time chart shares: the time axis and the marked moments."""
from __future__ import annotations

import altair as alt
import pandas as pd

import re

from ..i18n import FONTS, NP_, _, ngettext, num, pgettext

MARKER_COLORS = {
    "delivery promise": "#d62728",
    "activation promise": "#9467bd",
    "message batch": "#1f77b4",
    "correction": "#ff7f0e",
}
MARKER_WORDS = {  # the kinds of queries/launch_markers.sql, as the legend shows them
    "delivery promise": NP_("marker", "delivery promise"), "activation promise": NP_("marker", "activation promise"),
    "message batch": NP_("marker", "message batch"), "correction": NP_("marker", "correction"),
}
TIME_FORMAT = "%m-%d %H:%M"
BATCH_KINDS = ("message batch", "correction")


def words(df: pd.DataFrame, column: str, table: dict[str, str], context: str) -> pd.DataFrame:
    """``df`` with the values of ``column`` in the reader's language (identifiers unknown to
    ``table`` stay as they are)."""
    if df.empty or column not in df:
        return df
    return df.assign(**{column: df[column].map(lambda v: pgettext(context, table[v]) if v in table else v)})


_LABEL = re.compile(r"^(?P<what>.*) \((?P<n>\d+) (?P<unit>orders|messages)\)$")


def marker_label(label: str, kind: str) -> str:
    """A marked moment's tooltip (queries/launch_markers.sql: "delivery promise (120 orders)",
    "B-DELAY-1020, corrects B1 (500 messages)") in the reader's words; batch ids stay."""
    m = _LABEL.match(label)
    if m is None:
        return label
    n = int(m["n"])
    if m["unit"] == "orders":
        what = pgettext("marker", MARKER_WORDS[kind]) if kind in MARKER_WORDS else m["what"]
        return ngettext("{what} ({n} order)", "{what} ({n} orders)", n).format(what=what, n=num(n))
    parts = [_("corrects {batch}").format(batch=p[len("corrects "):]) if p.startswith("corrects ") else p
             for p in m["what"].split(", ")]
    return ngettext("{what} ({n} message)", "{what} ({n} messages)", n).format(what=", ".join(parts), n=num(n))


def word_domain(table: dict[str, str], context: str) -> list[str]:
    """A colour scale's domain in the reader's language (the order of ``table``)."""
    return [pgettext(context, w) for w in table.values()]


def with_fonts(chart):
    """The chart with the Korean-capable font list for every text (i18n.FONTS), its other
    settings (legends …) kept."""
    copy = chart.copy(deep=["config"])
    if copy.config is alt.Undefined:
        copy.config = alt.Config()
    copy.config["font"] = FONTS
    return copy


def time_x(field: str = "at", title: str | None = None) -> alt.X:
    return alt.X(f"{field}:T", title=_("Launch time") if title is None else title,
                 axis=alt.Axis(format=TIME_FORMAT, labelAngle=-30))


def markers(df: pd.DataFrame) -> alt.Chart:
    """Vertical rules for promise deadlines and message batches (columns at, kind, label)."""
    shown = df.assign(label=[marker_label(lb, k) for lb, k in zip(df["label"], df["kind"])]) if not df.empty else df
    return (
        alt.Chart(words(shown, "kind", MARKER_WORDS, "marker"))
        .mark_rule(strokeDash=[4, 3], strokeWidth=1.5)
        .encode(
            x=alt.X("at:T"),
            color=alt.Color("kind:N", title=_("Marked moment"),
                            scale=alt.Scale(domain=word_domain(MARKER_WORDS, "marker"), range=list(MARKER_COLORS.values()))),
            tooltip=[alt.Tooltip("label:N", title=_("what")),
                     alt.Tooltip("at:T", title=_("when"), format="%Y-%m-%d %H:%M")],
        )
    )


def with_markers(chart: alt.Chart, marker_df: pd.DataFrame | None) -> alt.LayerChart | alt.Chart:
    """Layer the marked moments over a time chart; the series keeps its own colour scale."""
    if marker_df is None or marker_df.empty:
        return chart
    return alt.layer(chart, markers(marker_df)).resolve_scale(color="independent")


def marker_names(df: pd.DataFrame, kinds: tuple[str, ...] = BATCH_KINDS, close_hours: float = 3,
                 step_px: int = 110) -> alt.Chart:
    """The name (the batch id) of each marked moment of ``kinds`` written up its rule from the top
    of the chart (columns at, kind, name, label). A name within ``close_hours`` of the previous one
    starts ``step_px`` lower than it (then back at the top), so close batches stay readable."""
    names = df[df["kind"].isin(kinds)].sort_values("at", kind="stable")
    offsets, previous, slot = [], None, 0
    for at in names["at"]:
        slot = (slot + 1) % 2 if previous is not None and at - previous < pd.Timedelta(hours=close_hours) else 0
        offsets.append(4 + slot * step_px)
        previous = at
    names = names.assign(y_px=offsets, label=[marker_label(lb, k) for lb, k in zip(names["label"], names["kind"])])
    return (
        alt.Chart(names)
        .mark_text(angle=270, align="right", baseline="bottom", dy=-3, fontSize=11, color="#333333")
        .encode(x=alt.X("at:T"), y=alt.Y("y_px:Q", scale=None), text=alt.Text("name:N"),
                tooltip=[alt.Tooltip("label:N", title=_("what")),
                         alt.Tooltip("at:T", title=_("when"), format="%Y-%m-%d %H:%M")])
    )
