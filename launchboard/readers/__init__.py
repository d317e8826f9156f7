"""Reading extract files: which files a data folder holds, which source reads each, and the
format registry (one reader module per format).

A format is a module with a ``stage(job)`` context manager and one entry in ``READERS`` (see
``launchboard.readers.base``): adding a format is adding a module and a line here. A file that
cannot be read raises ``FileRejected`` with the reason.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..schema import TABLES
from . import csv_reader, parquet_reader, queue_log_reader, twilio_reader, xlsx_reader
from .base import FileRejected, Format, FoundFile, NotUtf8, Staged, StageJob, column_names, is_unfinished

if TYPE_CHECKING:
    from ..sources import Source

__all__ = ["FINISHED_SUFFIXES", "READERS", "FileRejected", "Format", "FoundFile", "NotUtf8", "Staged", "StageJob",
           "column_names", "discover", "format_for", "is_unfinished"]

FINISHED_SUFFIXES = (".csv", ".csv.gz")  # and .parquet, read by DuckDB's own reader

# The formats a [[sources]] entry may name.
READERS: dict[str, Format] = {f.name: f for f in (csv_reader.FORMAT, xlsx_reader.FORMAT, parquet_reader.FORMAT,
                                                   queue_log_reader.FORMAT, twilio_reader.FORMAT)}


def _first(sources: Sequence[Source], name: str) -> Source | None:
    return next((s for s in sources if s.matches(name)), None)


def _finished(folder: Path) -> list[Path]:
    return [entry for entry in sorted(folder.iterdir(), key=lambda p: p.name)
            if entry.is_file() and not is_unfinished(entry.name)]


def discover(data_dir: Path, sources: Sequence[Source] = ()) -> list[FoundFile]:
    """Every finished file of every table folder, by table then name (missing folders are
    empty), each with the first source in launch.toml order whose ``files`` matches it (None:
    read as the contract says); then the files of the sources' own folders that one of them
    matches, named ``<folder>/<file name>``."""
    found = []
    for table in TABLES:
        folder = data_dir / table
        if folder.is_dir():
            mine = [s for s in sources if s.folder is None and s.table == table]
            found += [FoundFile(table, entry, entry.name, _first(mine, entry.name)) for entry in _finished(folder)]
    for folder in dict.fromkeys(s.folder for s in sources if s.folder is not None):
        path = data_dir / folder
        if path.is_dir():
            mine = [s for s in sources if s.folder == folder]
            for entry in _finished(path):
                source = _first(mine, entry.name)
                if source is not None:
                    found.append(FoundFile(source.table, entry, folder + "/" + entry.name, source))
    return found


def format_for(found: FoundFile) -> Format:
    """The reader of a file: its source's format, else by its name (.csv, .csv.gz, .parquet);
    raises FileRejected for any other file in a table folder."""
    if found.source is not None:
        return READERS[found.source.format]
    lower = found.name.lower()
    if lower.endswith(".parquet"):
        return parquet_reader.FORMAT
    if lower.endswith(FINISHED_SUFFIXES):
        return csv_reader.FORMAT
    raise FileRejected("not an extract file: expected .csv, .csv.gz or .parquet")
