"""Helpers for reading what an AppTest run shows (importable by name from tests/app)."""
from __future__ import annotations


def tiles(at) -> dict[str, str]:
    """The page's st.metric tiles as {label: value}."""
    return {m.label: m.value for m in at.metric}
