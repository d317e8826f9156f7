"""Extract values inside Markdown: shown as the text they are, never as markup.

Any field of an extract (an order id, a hub name, a template, a batch id, an error code) may
hold Markdown or HTML. ``plain`` is for Streamlit's Markdown (st.markdown, captions, alerts,
labels, toasts): the characters that open inline markup are backslash-escaped (and those that
open a block, at the start), line breaks become spaces, and a word joiner (U+2060, invisible)
follows the ':' of Streamlit's icons and colour directives (``:material/x:``, ``:red[…]``),
of emoji shortcodes and of ``http:``, the '@' of an e-mail and 'www', so that no automatic
link forms. ``md_cell`` is for the Markdown reports
(``report --format md`` and the incident report): it escapes what could start markup there
while leaving ordinary ids readable (``DELIVERY_DELAYED`` stays as it is).
"""
from __future__ import annotations

import re

WORD_JOINER = "\u2060"
_BREAKS = re.compile(r"[\r\n\t\f\v\u2028\u2029]+")
# Characters that open or close inline markup anywhere in a line ('_' only at a word's edge:
# inside a word it is no emphasis, so DELIVERY_DELAYED stays as it is).
_INLINE = re.compile(r"([\\`*\[\]<>$~&|]|(?<!\w)_|_(?!\w))")
# Where a directive, an icon, an emoji shortcode or an automatic link would start: a word joiner
# after the colon of ":red[", ":material/", ":smile:" or "http:", the "@" of an e-mail, "www".
_LINK_STARTS = re.compile(r"(?i)(:(?=[a-z/])|:(?=[\w+-]+:)|@(?=\w)|www(?=\.))")
# Block markup needs the start of the text: a heading, list, quote, rule or table.
_LEADING = re.compile(r"^([#>+=!-])|^(\d{1,9})([.)])")
# Report cells: backslash, emphasis, code, table pipes, HTML and link brackets; '_' only where
# it could open or close emphasis (at a word's edge).
_CELL = re.compile(r"([\\*`|<>\[\]!#~]|(?<!\w)_|_(?!\w))")


def plain(value: object) -> str:
    """``value`` as text for Streamlit's Markdown, shown as it is (line breaks become spaces,
    leading blanks go)."""
    text = _BREAKS.sub(" ", "" if value is None else str(value)).lstrip()
    text = _LINK_STARTS.sub(lambda m: m.group(0) + WORD_JOINER, text)
    text = _INLINE.sub(r"\\\1", text)
    return _LEADING.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), text)


def md_cell(value: object) -> str:
    """``value`` inside a Markdown report (a table cell or a line): one line, no markup."""
    text = _BREAKS.sub(" ", "" if value is None else str(value))
    return _CELL.sub(r"\\\1", text)
