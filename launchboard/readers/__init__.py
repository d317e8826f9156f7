"""Reading extract files: which files a data folder holds, and one reader per format.

A reader stages one file into the temp table ``checked`` (its rows typed and checked against
the contract, see ``launchboard.checks``) and returns the file's column names and the SQL of a
checked row's line number. A file that cannot be read raises ``FileRejected`` with the reason.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..schema import TABLES, normalise_header

FINISHED_SUFFIXES = (".csv", ".csv.gz")  # and .parquet, read by DuckDB's own reader


class FileRejected(Exception):
    """A whole file cannot be loaded; the message is the reason."""


@dataclass(frozen=True)
class FoundFile:
    table: str
    path: Path

    @property
    def name(self) -> str:
        return self.path.name


def is_unfinished(name: str) -> bool:
    """Spec 1: a file still being written (``.part``, ``.tmp``) or hidden (``.x``)."""
    return name.startswith(".") or name.endswith((".part", ".tmp"))


def discover(data_dir: Path) -> list[FoundFile]:
    """Every finished file of every table folder, by table then name. Missing folders are empty."""
    found = []
    for table in TABLES:
        folder = data_dir / table
        if not folder.is_dir():
            continue
        for entry in sorted(folder.iterdir(), key=lambda p: p.name):
            if entry.is_file() and not is_unfinished(entry.name):
                found.append(FoundFile(table, entry))
    return found



def column_names(cells: list[str]) -> list[str]:
    """Normalised, de-duplicated column names for header cells (extras keep their own name)."""
    names: list[str] = []
    for cell in cells:
        base = normalise_header(cell)
        name, n = base, 2
        while name in names:
            name, n = f"{base}_{n}", n + 1
        names.append(name)
    return names
