"""What every reader shares: the file it reads (``StageJob``), what it hands back (``Staged``)
and its entry in the format registry (``Format``, see ``launchboard.readers.READERS``).

A reader stages one file as a SQL relation of text columns in file order; the loader maps it
to the contract's columns (``launchboard.mapping``), types and checks it
(``launchboard.checks``) in one statement, and appends the rows. The per-row work stays in
DuckDB: a reader builds SQL (or an Arrow table it registers on the cursor), never a Python
loop over rows it can avoid.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..schema import Table, normalise_header

if TYPE_CHECKING:  # only for annotations: config and sources import the registry
    from ..config import LaunchConfig
    from ..sources import Source


class FileRejected(Exception):
    """A whole file cannot be loaded; the message is the reason."""


class NotUtf8(Exception):
    """A file whose start read as UTF-8 holds bytes that are not (``Staged.check`` found them):
    the loader stages it again with ``StageJob.encoding = "cp949"``."""


@dataclass(frozen=True)
class FoundFile:
    """A finished file and how it is read: ``name`` identifies it within its table (the file
    name in ``DATA/<table>/``, or ``<folder>/<file name>`` in a source's own folder)."""
    table: str
    path: Path
    name: str = ""
    source: Source | None = None

    def __post_init__(self):
        if not self.name:
            object.__setattr__(self, "name", self.path.name)


@dataclass(frozen=True)
class StageJob:
    """One file to stage: on ``cur`` (its own cursor: temp tables and registered Arrow tables
    are the cursor's), for ``table``, read as ``source`` says (None: a contract file), in the
    launch ``launch`` (its settings, e.g. the templates; the Store's tables are on ``cur``)."""
    cur: Any
    path: Path
    table: Table
    source: Source | None
    scratch: Path  # a folder for temporary files, removed with the Store
    launch: LaunchConfig | None = None
    encoding: str | None = None  # "cp949": staged again after NotUtf8

    @property
    def options(self) -> dict:
        """The source's ``[sources.options]`` as its format's ``check_options`` returned them."""
        return dict(self.source.options) if self.source is not None else {}


@dataclass
class Staged:
    """One file's records as text, ready for mapping and checks.

    ``select`` is SQL giving one VARCHAR column per ``names`` entry, rows in file order, with
    ``params`` bound. ``headers`` are the file's own header cells (what ``[sources.columns]``
    names), one per name. ``line`` is the SQL of a row's line number in the table ``checked``
    the loader fills from it (``checked.rowid`` is the row's position; a column listed in
    ``carry``, say ``_line``, can be used as ``checked._line``). ``hidden`` columns of the
    select are kept only for ``content``: the SQL of a rejected row's content (None: the
    checked columns as JSON). ``unreadable`` is SQL giving ``(line, reason, content)`` of the
    records that could not be read at all (valid once ``finish`` has run). ``finish(cur, staged)``
    runs right after ``checked`` is made, while the file is still staged (the CSV reader
    learns its malformed lines there); ``check(cur)``, before it, may find that the file must be
    staged again (``NotUtf8``). ``nomap`` columns come with ``_nomap_<column>`` in the
    select (listed in ``carry`` too): the value the reader's own words did not know, rejected
    and counted like a source's unmapped value. ``counts`` are the file's figures that are not
    rows (a log's lines of other events, its calls still open …), kept per file in
    ``source_counts``."""
    select: str
    names: list[str]
    headers: list[str]
    encoding: str
    params: dict = field(default_factory=dict)
    line: str = "checked.rowid + 1"
    carry: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()
    content: str | None = None
    unreadable: str | None = None
    read_error: str = "cannot read file"  # prefix of the reason when DuckDB cannot read it
    finish: Callable[[Any, Staged], None] | None = None
    check: Callable[[Any], None] | None = None  # right after ``checked`` is built: may raise NotUtf8
    nomap: tuple[str, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Format:
    """A registry entry. ``stage(job)`` is a context manager yielding ``Staged`` (it cleans up
    what it made when the loader is done with the file) or raising ``FileRejected``.
    ``contract_names``: its names are already the contract's columns, so a source of this
    format takes no ``[sources.columns]``. ``check_options(options)`` validates
    ``[sources.options]`` and returns them (raise ValueError with the message); None: the
    format takes no options. ``sheets``: the format takes ``sheet``. ``in_order``: a source's
    files are read one after the other in name order (a log whose records go on in the next
    file), not two at a time. ``fixes``: for a column whose values the reader decides itself
    (``Staged.nomap``) by other settings than a value map, how to make an unknown value known
    (the Data quality page says it instead of offering ``[sources.values.<column>]`` lines)."""
    name: str
    stage: Callable[[StageJob], AbstractContextManager[Staged]]
    contract_names: bool = False
    check_options: Callable[[dict], dict] | None = None
    sheets: bool = False
    in_order: bool = False
    fixes: dict[str, str] = field(default_factory=dict)


def header_key(text: str) -> str:
    """How a header cell is compared with the one a source names: NFC, trimmed, case-folded."""
    return unicodedata.normalize("NFC", text).strip().casefold()


def is_unfinished(name: str) -> bool:
    """Spec 1: a file still being written (``.part``, ``.tmp``) or hidden (``.x``)."""
    return name.startswith(".") or name.endswith((".part", ".tmp"))


def column_names(cells: list[str], taken: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """Normalised, de-duplicated column names for header cells (extras keep their own name);
    a name in ``taken`` (columns a source fills otherwise) gets a suffix too."""
    names: list[str] = []
    for cell in cells:
        base = normalise_header(cell)
        name, n = base, 2
        while name in names or name in taken:
            name, n = f"{base}_{n}", n + 1
        names.append(name)
    return names
