"""Helpers for reading what an AppTest run shows (importable by name from tests/app)."""
from __future__ import annotations

import re


def tiles(at) -> dict[str, str]:
    """The page's st.metric tiles as {label: value}."""
    return {m.label: m.value for m in at.metric}


def as_read(text: str) -> str:
    """Markdown source as a reader sees its text: backslash escapes and word joiners (which
    ``launchboard.text.plain`` adds to extract values) removed."""
    return re.sub(r"\\(.)", r"\1", text).replace("\u2060", "")
