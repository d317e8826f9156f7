"""Parquet extracts, read with DuckDB's own reader; every column is staged as text and typed
like a CSV's (a nanosecond timestamp is read to the microsecond)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from ..checks import quoted
from ..schema import ident
from .base import FileRejected, Format, Staged, StageJob, column_names


@contextmanager
def stage(job: StageJob) -> Iterator[Staged]:
    """A Parquet file as text columns; a row's line is its row number (first row = 1)."""
    path = str(job.path)
    try:
        described = job.cur.execute("DESCRIBE SELECT * FROM read_parquet($path)", {"path": path}).fetchall()
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
    yield Staged(select="SELECT " + ", ".join(as_text) + " FROM read_parquet($path)", names=names,
                 headers=originals, encoding="parquet", params={"path": path}, line="checked.rowid + 1",
                 read_error="cannot read Parquet")


FORMAT = Format("parquet", stage)
