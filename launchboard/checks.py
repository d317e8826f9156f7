"""Typing and checking rows against the contract (spec 3), in SQL.

``checked_query`` turns a file's rows (text) into typed rows with the reason they are rejected,
if any; the loader moves them into ``acc_<table>`` or ``rejected_rows``.
"""
from __future__ import annotations

from collections.abc import Callable

from .schema import BOOL, ENUM, TS, Table, ident, stored_extras


def quoted(name: str) -> str:
    """A file's own column name as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _typed(table: Table, name: str, ts: Callable[[str], str] | None = None) -> str:
    """The typed value of a known column, from its blanked text ``_raw_<name>``; ``ts`` reads
    timestamps the source's own way (default: the contract's spellings, ``lb_ts``)."""
    col = table.column(name)
    raw = ident("_raw_" + name)
    if col.kind == TS:
        return ts(raw) if ts is not None else "lb_ts(" + raw + ")"
    if col.kind == BOOL:
        return "lb_bool(" + raw + ")"
    if col.kind == ENUM:
        return "lower(" + raw + ")"
    return raw


# Cross-column rules of spec 3 (rows rejected), on the typed columns and their texts ``_raw_<name>``.
ROW_RULES: dict[str, list[tuple[str, str]]] = {
    "activations": [
        ("finished_at < requested_at", "finished_at is before requested_at"),
        ("result IN ('success', 'failed') AND _raw_finished_at IS NULL", "result is success/failed without finished_at"),
        ("result = 'failed' AND error_code IS NULL", "result is failed without error_code"),
    ],
    "calls": [
        ("answered_at < arrived_at", "answered_at is before arrived_at"),
        ("ended_at < arrived_at", "ended_at is before arrived_at"),
        ("outcome = 'answered' AND _raw_answered_at IS NULL", "outcome is answered without answered_at"),
    ],
}


def _checks(table: Table, nomap: tuple[str, ...] = ()) -> list[str]:
    """SQL expressions, each the reason text when a rule fails, else null. A column in
    ``nomap`` comes with ``_nomap_<name>``, the value its source's value map did not know:
    that is the column's reason (``event: no mapping for '집하대기'``), and its own type
    checks are skipped (they would name the same value again)."""
    out = []
    for col in table.columns:
        raw = "_raw_" + col.name
        unknown = ""
        if col.name in nomap:
            unmapped = ident("_nomap_" + col.name)
            out.append("CASE WHEN " + unmapped + " IS NOT NULL THEN " + literal(col.name + ": no mapping for '")
                       + " || " + unmapped + " || " + literal("'") + " END")
            unknown = " AND " + unmapped + " IS NULL"
        if col.required:
            out.append("CASE WHEN " + raw + " IS NULL THEN " + literal(col.name + " is empty") + " END")
        if col.kind == TS:
            out.append("CASE WHEN " + raw + " IS NOT NULL AND " + ident(col.name) + " IS NULL THEN "
                       + literal(col.name + " is not a timestamp: ") + " || " + raw + " END")
        if col.kind == BOOL:
            out.append("CASE WHEN " + raw + " IS NOT NULL AND " + ident(col.name) + " IS NULL" + unknown
                       + " THEN " + literal(col.name + " is not a boolean: ") + " || " + raw + " END")
        if col.kind == ENUM:
            allowed = "[" + ", ".join(literal(v) for v in col.values) + "]"
            out.append("CASE WHEN " + raw + " IS NOT NULL AND NOT list_contains(" + allowed + ", "
                       + ident(col.name) + ")" + unknown + " THEN " + literal(col.name + " has unknown value: ")
                       + " || " + raw + " END")
    for condition, reason in ROW_RULES.get(table.name, []):
        out.append("CASE WHEN " + condition + " THEN " + literal(reason) + " END")
    return out


def checked_query(table: Table, names: list[str], source: str, *, carry: tuple[str, ...] = (),
                  hidden: tuple[str, ...] = (), nomap: tuple[str, ...] = (),
                  ts: Callable[[str], str] | None = None, content: str | None = None) -> str:
    """The rows of ``source`` (one text column per name, in file order) typed and checked.

    Each row gets its table's columns typed (absent ones null), the stored extra columns as text
    (personal ones, ``schema.PERSONAL_COLUMNS``, are left out),
    ``_reason`` (the failed rules joined by '; ', or '') and, for a rejected row only,
    ``_content``: its blanked text as JSON, or ``content`` (SQL over ``source``'s columns).
    Rows keep the file's order, so the table this query fills numbers them (``rowid``) like
    the file does.

    ``carry`` columns of ``source`` are kept as they are, ``hidden`` ones only for
    ``content``. Each column in ``nomap`` comes with ``_nomap_<name>`` (kept too), see
    ``_checks``. ``ts(raw)`` is the SQL that reads a timestamp's text (default ``lb_ts``).
    """
    stored = stored_extras(table, names)
    extras = [ident(n) for n in stored]
    kept = [ident(c) for c in carry] + [ident("_nomap_" + c) for c in nomap]
    through = kept + [ident(c) for c in hidden]
    texts, typed = [], []
    for c in table.names:
        raw = ident("_raw_" + c)
        if c in names:
            texts.append("lb_blank(" + ident(c) + ") AS " + raw)
            typed.append(_typed(table, c, ts) + " AS " + ident(c))
        else:
            texts.append("NULL::VARCHAR AS " + raw)
            typed.append("NULL::" + {TS: "TIMESTAMPTZ", BOOL: "BOOLEAN"}.get(table.column(c).kind, "VARCHAR")
                         + " AS " + ident(c))
    raws = [ident("_raw_" + c) for c in table.names]
    outs = [ident(c) for c in table.names] + extras
    if content is None:
        content = "json_object(" + ", ".join(literal(c) + ", " + ident("_raw_" + c) for c in table.names) + "".join(
            ", " + literal(n) + ", " + ident(n) for n in stored) + ")"
    texted = "SELECT " + ", ".join(texts + extras + through) + " FROM (" + source + ")"
    typed_ = "SELECT " + ", ".join(typed + raws + extras + through) + " FROM (" + texted + ")"
    reasoned = ("SELECT " + ", ".join(outs + raws + through) + ", concat_ws('; ', "
                + ", ".join(_checks(table, nomap)) + ") AS _reason FROM (" + typed_ + ")")
    return ("SELECT " + ", ".join(outs + kept) + ", _reason, CASE WHEN _reason <> '' THEN CAST(" + content
            + " AS VARCHAR) END AS _content FROM (" + reasoned + ")")
