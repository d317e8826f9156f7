"""Parquet extracts, read with DuckDB's own reader; every column is staged as text and typed
like a CSV's (a nanosecond timestamp is read to the microsecond)."""
from __future__ import annotations

from pathlib import Path

import duckdb

from ..checks import checked_query, quoted
from ..schema import Table, ident
from . import FileRejected, column_names


def stage_parquet(cur, path: Path, table: Table) -> tuple[list[str], str]:
    """Read a Parquet file into temp table ``checked``; returns the column names and the SQL
    of a checked row's line number (its row number)."""
    try:
        described = cur.execute("DESCRIBE SELECT * FROM read_parquet($path)", {"path": str(path)}).fetchall()
    except duckdb.Error as exc:
        raise FileRejected("cannot read Parquet: " + str(exc).splitlines()[0]) from exc
    originals = [row[0] for row in described]
    names = column_names(originals)
    # A nanosecond timestamp (pandas' default) is read to the microsecond, like every other.
    as_text = [
        "CAST(" + ("CAST(" + quoted(orig) + " AS TIMESTAMP)" if typ == "TIMESTAMP_NS" else quoted(orig))
        + " AS VARCHAR) AS " + ident(n)
        for (orig, typ, *_), n in zip(described, names)
    ]
    try:
        cur.execute(
            "CREATE OR REPLACE TEMP TABLE checked AS "
            + checked_query(table, names, "SELECT " + ", ".join(as_text) + " FROM read_parquet($path)"),
            {"path": str(path)},
        )
    except duckdb.Error as exc:
        raise FileRejected("cannot read Parquet: " + str(exc).splitlines()[0]) from exc
    return names, "checked.rowid + 1"

