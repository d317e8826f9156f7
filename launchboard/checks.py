"""Typing and checking rows against the contract (spec 3), in SQL.

``checked_query`` turns a file's rows (text) into typed rows with the reason they are rejected,
if any; ``check_and_append`` moves them into ``acc_<table>`` or ``rejected_rows``.
"""
from __future__ import annotations

from .schema import BOOL, ENUM, TS, Table, ident, stored_extras


def quoted(name: str) -> str:
    """A file's own column name as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _typed(table: Table, name: str) -> str:
    """The typed value of a known column, from its blanked text ``_raw_<name>``."""
    col = table.column(name)
    raw = ident("_raw_" + name)
    if col.kind == TS:
        return "lb_ts(" + raw + ")"
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


def _checks(table: Table) -> list[str]:
    """SQL expressions, each the reason text when a rule fails, else null."""
    out = []
    for col in table.columns:
        raw = "_raw_" + col.name
        if col.required:
            out.append("CASE WHEN " + raw + " IS NULL THEN " + literal(col.name + " is empty") + " END")
        if col.kind == TS:
            out.append("CASE WHEN " + raw + " IS NOT NULL AND " + ident(col.name) + " IS NULL THEN "
                       + literal(col.name + " is not a timestamp: ") + " || " + raw + " END")
        if col.kind == BOOL:
            out.append("CASE WHEN " + raw + " IS NOT NULL AND " + ident(col.name) + " IS NULL THEN "
                       + literal(col.name + " is not a boolean: ") + " || " + raw + " END")
        if col.kind == ENUM:
            allowed = "[" + ", ".join(literal(v) for v in col.values) + "]"
            out.append("CASE WHEN " + raw + " IS NOT NULL AND NOT list_contains(" + allowed + ", "
                       + ident(col.name) + ") THEN " + literal(col.name + " has unknown value: ")
                       + " || " + raw + " END")
    for condition, reason in ROW_RULES.get(table.name, []):
        out.append("CASE WHEN " + condition + " THEN " + literal(reason) + " END")
    return out


def checked_query(table: Table, names: list[str], source: str) -> str:
    """The rows of ``source`` (one text column per name, in file order) typed and checked.

    Each row gets its table's columns typed (absent ones null), the stored extra columns as text
    (personal ones, ``schema.PERSONAL_COLUMNS``, are left out),
    ``_reason`` (the failed rules joined by '; ', or '') and, for a rejected row only,
    ``_content``: its blanked text as JSON. Rows keep the file's order, so the table this
    query fills numbers them (``rowid``) like the file does.
    """
    kept = stored_extras(table, names)
    extras = [ident(n) for n in kept]
    texts, typed = [], []
    for c in table.names:
        raw = ident("_raw_" + c)
        if c in names:
            texts.append("lb_blank(" + ident(c) + ") AS " + raw)
            typed.append(_typed(table, c) + " AS " + ident(c))
        else:
            texts.append("NULL::VARCHAR AS " + raw)
            typed.append("NULL::" + {TS: "TIMESTAMPTZ", BOOL: "BOOLEAN"}.get(table.column(c).kind, "VARCHAR")
                         + " AS " + ident(c))
    raws = [ident("_raw_" + c) for c in table.names]
    outs = [ident(c) for c in table.names] + extras
    content = ", ".join(literal(c) + ", " + ident("_raw_" + c) for c in table.names) + "".join(
        ", " + literal(n) + ", " + ident(n) for n in kept)
    texted = "SELECT " + ", ".join(texts + extras) + " FROM (" + source + ")"
    typed_ = "SELECT " + ", ".join(typed + raws + extras) + " FROM (" + texted + ")"
    reasoned = ("SELECT " + ", ".join(outs + raws) + ", concat_ws('; ', " + ", ".join(_checks(table))
                + ") AS _reason FROM (" + typed_ + ")")
    return ("SELECT " + ", ".join(outs) + ", _reason, CASE WHEN _reason <> '' THEN CAST(json_object("
            + content + ") AS VARCHAR) END AS _content FROM (" + reasoned + ")")


