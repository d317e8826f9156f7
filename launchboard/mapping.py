"""The mapping stage: a staged file's columns and values as the contract's, in SQL.

For a file matched by no source nothing changes: its header names are its columns. For a
source's file (rules in the README, "Real extracts: sources"):

- each ``[sources.columns]`` entry takes the file's column whose header matches (after NFC,
  trimming and case-folding); a header the file lacks rejects the file whole, naming it and
  the column it maps to. The other headers keep their normalised names: one that names a
  contract column fills it, the others are extra columns (a name the source fills otherwise,
  by mapping or constant, gets a suffix: ``region_2``);
- ``[sources.constants]`` fill their column on every row;
- a column with a value map (the source's own, and for shipments' ``event`` the built-in courier
  words) takes the value the map gives; a value that already is one of the map's targets (for an
  enum: any allowed value) passes; any other non-empty value is kept as it is and marked
  ``_nomap_<column>``: the row is rejected with ``<column>: no mapping for '<value>'``;
- timestamps are read with the source's ``timestamp_format`` (each format in turn), else in the
  contract's spellings; one without an offset is in the source's ``timezone``.

A rejected row's content is the file's own record: its header cells and values as JSON.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .checks import literal
from .readers.base import FileRejected, Staged, column_names, header_key
from .schema import Table, ident
from .sources import Source

# SQL of a value's key in a value map, the same as sources.value_key (lb_blank trims).
KEY_SQL = "replace(lower(lb_blank({})), ' ', '')"


@dataclass
class Plan:
    """What ``checked_query`` reads: ``select`` (with ``params``) has one text column per name
    in ``names`` (the contract's and extra columns), and the columns named by the rest."""
    select: str
    params: dict
    names: list[str]
    carry: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()
    nomap: tuple[str, ...] = ()
    ts: Callable[[str], str] | None = None
    content: str | None = None


def plan(table: Table, staged: Staged, source: Source | None, contract_names: bool, launch_tz: str) -> Plan:
    """How a staged file becomes contract rows; raises FileRejected for a mapped header the
    file lacks."""
    if source is None:
        return Plan(staged.select, dict(staged.params), list(staged.names), staged.carry, staged.hidden,
                    content=staged.content)
    fill, extras = _columns(table, staged, source, contract_names)
    params = dict(staged.params)
    src = [ident(f"_src_{i}") for i in range(len(staged.names))]
    # the reader's own unmapped values (``Staged.nomap``) come along as they are
    own = [ident("_nomap_" + c) for c in staged.nomap]
    inner = ("SELECT " + ", ".join([f"{ident(n)} AS {s}" for n, s in zip(staged.names, src)]
                                   + [ident(c) for c in (*staged.carry, *staged.hidden)] + own)
             + " FROM (" + staged.select + ")")
    maps = {c: m for c, m in source.value_maps().items() if c in fill and c not in staged.nomap}
    looked_up = []
    # the f-strings below splice contract column names (quoted, or in $parameter names); values are bound
    for column, lookup in maps.items():
        params[f"lb_keys_{column}"], params[f"lb_values_{column}"] = list(lookup), list(lookup.values())
        looked_up.append(f"MAP($lb_keys_{column}, $lb_values_{column})[{KEY_SQL.format(src[fill[column]])}]"
                         f" AS {ident('_m_' + column)}")
    if looked_up:
        inner = "SELECT *, " + ", ".join(looked_up) + " FROM (" + inner + ")"

    outs, nomap = [], []
    for column in table.names:
        if column in maps:
            raw, m = src[fill[column]], ident("_m_" + column)
            outs += [f"coalesce({m}, {raw}) AS {ident(column)}",
                     f"CASE WHEN {m} IS NULL THEN lb_blank({raw}) END AS {ident('_nomap_' + column)}"]
            nomap.append(column)
        elif column in fill:
            outs.append(f"{src[fill[column]]} AS {ident(column)}")
        elif column in source.constants:
            params[f"lb_const_{column}"] = source.constants[column]
            outs.append(f"CAST($lb_const_{column} AS VARCHAR) AS {ident(column)}")
    outs += [f"{src[i]} AS {ident(name)}" for i, name in extras]
    names = [c for c in table.names if c in fill or c in source.constants] + [name for _, name in extras]
    select = ("SELECT " + ", ".join(outs + src + [ident(c) for c in (*staged.carry, *staged.hidden)] + own)
              + " FROM (" + inner + ")")
    nomap += [c for c in staged.nomap if c not in nomap]
    content = staged.content
    if content is None and not contract_names:  # the file's own record, by its own headers
        content = "json_object(" + ", ".join(f"{literal(h)}, lb_blank({s})" for h, s in
                                             zip(_unique(staged.headers), src)) + ")"
    return Plan(select, params, names, staged.carry, (*staged.hidden, *(f"_src_{i}" for i in range(len(src)))),
                tuple(nomap), _timestamps(source, params, launch_tz), content)


def _columns(table: Table, staged: Staged, source: Source, contract_names: bool
             ) -> tuple[dict[str, int], list[tuple[int, str]]]:
    """Which staged column fills each contract column, and the extra columns (index, name)."""
    fill: dict[str, int] = {}
    if not contract_names:
        index: dict[str, int] = {}
        for i, header in enumerate(staged.headers):
            index.setdefault(header_key(header), i)
        missing = []
        for column, header in source.columns.items():
            if header_key(header) in index:
                fill[column] = index[header_key(header)]
            else:
                missing.append(f"'{header}' (for {column})")
        if missing:
            raise FileRejected("mapped header(s) not in the file: " + ", ".join(missing))
    used = set(fill.values())
    rest = [i for i in range(len(staged.names)) if i not in used]
    cells = [staged.names[i] if contract_names else staged.headers[i] for i in rest]
    extras = []
    for i, name in zip(rest, column_names(cells, set(fill) | set(source.constants))):
        if name in table.names:
            fill[name] = i
        else:
            extras.append((i, name))
    return fill, extras


def _unique(headers: list[str]) -> list[str]:
    """Header cells as JSON keys: trimmed, a repeated one numbered (``금액 (2)``)."""
    out: list[str] = []
    for header in headers:
        base = header.strip()
        name, n = base, 2
        while name in out:
            name, n = f"{base} ({n})", n + 1
        out.append(name)
    return out


def _timestamps(source: Source, params: dict, launch_tz: str) -> Callable[[str], str] | None:
    """The SQL reading a timestamp text of this source, or None for the contract's reading
    (no format of its own, the launch's time zone)."""
    if not source.timestamp_format and source.timezone == launch_tz:
        return None
    aware = [f for f in source.timestamp_format if "%z" in f or "%Z" in f]
    naive = [f for f in source.timestamp_format if f not in aware]
    if naive or source.timezone != launch_tz:  # bound only when the SQL uses it (DuckDB refuses extras)
        params["lb_zone"] = source.timezone
    if aware:
        params["lb_ts_aware"] = aware
    if naive:
        params["lb_ts_naive"] = naive

    def read(raw: str) -> str:
        parts = ([f"try_strptime({raw}, $lb_ts_aware)"] if aware else []) + (
            [f"timezone($lb_zone, try_strptime({raw}, $lb_ts_naive))"] if naive else [])
        parts.append(f"lb_ts({raw})" if source.timezone == launch_tz else f"lb_ts_zone({raw}, $lb_zone)")
        return parts[0] if len(parts) == 1 else "coalesce(" + ", ".join(parts) + ")"

    return read
