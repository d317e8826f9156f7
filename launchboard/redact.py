"""Server file-system paths out of what the Explore sandbox shows: its messages and results.

DuckDB can name paths in an error ("Cannot access directory /root/.duckdb/extensions/…") or a
result (``duckdb_settings()``, ``duckdb_databases()``). Any absolute path under a well-known
top-level folder, or under one of this process's own folders (its working, temporary, home and
Python folders, the launch's data folder, the sandbox's files), becomes ``<server path>``.
"""
from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

import pyarrow as pa

MASK = "<server path>"
_TOP = ("tmp", "home", "root", "usr", "etc", "var", "opt", "srv", "proc", "sys", "dev", "mnt", "media", "run",
        "work", "app", "data", "bin", "sbin", "lib", "lib64", "boot", "snap", "nix", "private", "Users",
        "Volumes", "workspace", "code", "builds")
_END = r"[^\s'\"`,;)\]}>]*"


def server_paths(*folders: str | Path) -> re.Pattern:
    """A pattern for server paths: the given folders, this process's own, and the well-known
    top-level folders (``/tmp/…``, ``/home/…``), and Windows drive paths."""
    own = {str(Path(p)) for p in (*folders, tempfile.gettempdir(), Path.home(), Path.cwd(), sys.prefix,
                                  sys.base_prefix, sys.exec_prefix, Path(__file__).resolve().parents[1])}
    own |= {str(Path(p).resolve()) for p in own}
    roots = sorted((re.escape(p) for p in own if len(p) > 1), key=len, reverse=True)
    tops = "/(?:" + "|".join(_TOP) + r")(?=/|\b)"
    return re.compile(r"(?<![\w.])(?:" + "|".join(roots + [tops]) + ")" + _END + r"|\b[A-Za-z]:\\" + _END)


def text(value: str, pattern: re.Pattern) -> str:
    return pattern.sub(MASK, value)


def _primitive(t: pa.DataType) -> bool:
    return (pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t) or pa.types.is_decimal(t)
            or pa.types.is_temporal(t) or pa.types.is_null(t))


def table(result: pa.Table, pattern: re.Pattern) -> pa.Table:
    """``result`` with server paths masked in its column names and values. Text columns keep
    their type; another non-numeric column (a list, a struct, a blob) that names a path becomes
    text."""
    columns, names = [], []
    for field, column in zip(result.schema, result.columns):
        names.append(text(field.name, pattern))
        if _primitive(field.type):
            columns.append(column)
            continue
        values = column.to_pylist()
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            masked = [None if v is None else text(v, pattern) for v in values]
            columns.append(column if masked == values else pa.array(masked, field.type))
        elif any(v is not None and pattern.search(str(v)) for v in values):
            columns.append(pa.array([None if v is None else text(str(v), pattern) for v in values], pa.string()))
        else:
            columns.append(column)
    return pa.Table.from_arrays(columns, names=names)
