"""Replay a finished launch into a live folder as timed drops (``python -m launchboard replay``).

Every row of every extract file gets the launch moment it became known (below); the launch
is cut into windows of ``drop_minutes``, and each window's rows are written as one drop:
per table and source file a CSV ``<table>/<table>_<seq>.csv``, first as ``.part`` (ignored by
the loader, spec 1) and then renamed. At ``speed`` 600 ten launch minutes pass per real
second. ``launch.toml`` is copied first.

When a row became known:
- its ``updated_at`` when it carries one (the time that version was written), else
- the latest fact it records: orders ``ordered_at``/``allocated_at``/``cancelled_at``,
  shipments ``event_at``, activations ``requested_at``/``finished_at``, messages ``sent_at``,
  calls ``arrived_at``/``answered_at``/``ended_at`` (promises are not facts). A row never shows
  a fact before it happened, so the live T (newest event time) follows the replay clock.
- A row whose times do not parse (the live loader will reject it, as the source's did) goes
  with the row before it in its file.

What is kept: each source file's header (extra columns included), encoding (UTF-8 or CP949)
and row order; the rows of one window keep their file order, and drops of one window are named
in the order of their source files, so the "file that sorts last, last row" tie-break of spec 3
picks the same version. Versions of one key are replayed in the order they became known.
Files the loader rejects whole (undecodable, no header, a required column missing, not an
extract) are copied unchanged with the first drop.
"""
from __future__ import annotations

import csv
import io
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from .config import load_config
from .readers import FileRejected, column_names, discover
from .readers.csv_reader import detect_encoding, open_bytes, read_header
from .schema import TABLES
from .timeutil import parse_moment

# The facts a row records, per table: the row is known once the latest of them happened.
FACT_TIMES: dict[str, tuple[str, ...]] = {
    "orders": ("ordered_at", "allocated_at", "cancelled_at"),
    "shipments": ("event_at",),
    "activations": ("requested_at", "finished_at"),
    "messages": ("sent_at",),
    "calls": ("arrived_at", "answered_at", "ended_at"),
}


class ReplayError(ValueError):
    """The source is not a launch folder, or the live folder already holds extracts."""


@dataclass
class SourceFile:
    """One extract file of the finished launch, read as text rows with their known-at times."""
    table: str
    name: str
    encoding: str                  # output encoding: utf-8 or cp949
    header: list[str]
    rows: list[list[str]]
    known_at: list[datetime | None]


@dataclass
class Piece:
    """The rows of one source file that fall into one drop window."""
    source: SourceFile
    rows: list[list[str]]


@dataclass
class Drop:
    seq: int
    window_start: datetime
    window_end: datetime
    pieces: list[Piece] = field(default_factory=list)
    verbatim: list[tuple[str, Path]] = field(default_factory=list)   # (table, source path)

    def rows(self, table: str | None = None) -> int:
        return sum(len(p.rows) for p in self.pieces if table is None or p.source.table == table)


@dataclass
class Plan:
    start: datetime
    drop_minutes: float
    drops: list[Drop]


def _moment(text: str | None, tz: ZoneInfo) -> datetime | None:
    if text is None or not text.strip():
        return None
    try:
        return parse_moment(text, tz)
    except ValueError:
        return None


def _known_at(table: str, names: list[str], row: list[str], tz: ZoneInfo) -> datetime | None:
    cells = dict(zip(names, row))
    updated = _moment(cells.get("updated_at"), tz)
    if updated is not None:
        return updated
    facts = [_moment(cells.get(c), tz) for c in FACT_TIMES[table]]
    facts = [f for f in facts if f is not None]
    return max(facts) if facts else None


def _read_csv(path: Path, encoding: str) -> tuple[list[str], list[list[str]]]:
    with open_bytes(path) as fh:
        text = io.TextIOWrapper(fh, encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline="")
        reader = csv.reader(text)
        header = next(reader)
        return header, list(reader)


def _read_parquet(path: Path) -> tuple[list[str], list[list[str]]]:
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET TimeZone = 'UTC'")   # aware values keep an explicit +00 offset
        res = con.execute("SELECT * FROM read_parquet($p)", {"p": str(path)})
        header = [d[0] for d in res.description]
        cols = ", ".join("CAST(" + '"' + h.replace('"', '""') + '"' + " AS VARCHAR)" for h in header)
        rows = con.execute("SELECT " + cols + " FROM read_parquet($p)", {"p": str(path)}).fetchall()
    finally:
        con.close()
    return header, [["" if v is None else v for v in row] for row in rows]


def read_source(table: str, path: Path, tz: ZoneInfo) -> SourceFile | None:
    """The file's rows with their known-at times, or None when the loader rejects it whole."""
    lower = path.name.lower()
    try:
        if lower.endswith(".parquet"):
            encoding = "utf-8"
            try:
                header, rows = _read_parquet(path)
            except duckdb.Error:
                return None
        elif lower.endswith((".csv", ".csv.gz")):
            encoding = detect_encoding(path)
            read_header(path, encoding)            # rejects a file without a header row
            header, rows = _read_csv(path, encoding)
        else:
            return None
    except FileRejected:
        return None
    names = column_names(header)
    if any(c not in names for c in TABLES[table].required):
        return None
    known: list[datetime | None] = []
    previous = None
    for row in rows:
        at = _known_at(table, names, row, tz)
        known.append(at if at is not None else previous)
        previous = known[-1]
    return SourceFile(table, path.name, encoding, header, rows, known)


def plan(src: Path, drop_minutes: float = 10) -> Plan:
    """Cut the finished launch in ``src`` into drops of ``drop_minutes`` launch minutes."""
    if drop_minutes <= 0:
        raise ReplayError("--drop-minutes must be positive")
    src = Path(src)
    if not src.is_dir():
        raise ReplayError(f"launch folder not found: {src}")
    tz = load_config(src).tz
    sources: list[SourceFile] = []
    verbatim: list[tuple[str, Path]] = []
    for found in discover(src):
        source = read_source(found.table, found.path, tz)
        if source is None:
            verbatim.append((found.table, found.path))
        else:
            sources.append(source)
    times = [t for s in sources for t in s.known_at if t is not None]
    step = timedelta(minutes=drop_minutes)
    if times:
        first = min(times)
        # Align windows to whole drop_minutes of launch-local time (10-minute drops start at :00, :10 ...).
        local = first.astimezone(tz).replace(tzinfo=None)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        start = (midnight + step * ((local - midnight) // step)).replace(tzinfo=tz)
    else:
        start = datetime.now(tz).replace(microsecond=0)
    windows: dict[int, list[Piece]] = {}
    for source in sources:
        by_window: dict[int, list[list[str]]] = {}
        for row, at in zip(source.rows, source.known_at):
            k = 0 if at is None else int((at - start) // step)
            by_window.setdefault(k, []).append(row)
        for k, rows in by_window.items():
            windows.setdefault(k, []).append(Piece(source, rows))
    if verbatim and not windows:
        windows[0] = []
    drops = []
    for seq, k in enumerate(sorted(windows), start=1):
        pieces = windows[k]
        drops.append(Drop(seq, start + step * k, start + step * (k + 1), pieces, verbatim if seq == 1 else []))
    return Plan(start, drop_minutes, drops)


def _width(n: int) -> int:
    return max(5, len(str(n)))


def write_parts(drop: Drop, dst: Path, width: int = 5) -> list[Path]:
    """Write the drop's files as ``.part`` (invisible to the loader); returns their paths."""
    parts: list[Path] = []
    seen: dict[str, int] = {}
    # Pieces in table order, then source-file name order: later names sort later.
    ordered = sorted(drop.pieces, key=lambda p: (list(TABLES).index(p.source.table), p.source.name))
    for piece in ordered:
        table = piece.source.table
        n = seen.get(table, 0)
        seen[table] = n + 1
        stem = f"{table}_{drop.seq:0{width}d}" + (f"_{n:02d}" if n else "")
        folder = dst / table
        folder.mkdir(parents=True, exist_ok=True)
        part = folder / (stem + ".csv.part")
        with open(part, "w", encoding=piece.source.encoding, newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(piece.source.header)
            writer.writerows(piece.rows)
        parts.append(part)
    for table, path in drop.verbatim:
        folder = dst / table
        folder.mkdir(parents=True, exist_ok=True)
        part = folder / f"{table}_{drop.seq:0{width}d}_{path.name}.part"
        shutil.copyfile(path, part)
        parts.append(part)
    return parts


def publish(parts: list[Path]) -> list[Path]:
    """Rename each ``.part`` to its final name (atomic on one file system)."""
    done = []
    for part in parts:
        final = part.with_name(part.name[: -len(".part")])
        os.replace(part, final)
        done.append(final)
    return done


def prepare(src: Path, dst: Path) -> None:
    """Create the live folder (it must not hold extracts yet) and copy launch.toml into it."""
    src, dst = Path(src), Path(dst)
    if dst.exists() and discover(dst):
        raise ReplayError(f"live folder already holds extract files: {dst}")
    dst.mkdir(parents=True, exist_ok=True)
    toml = src / "launch.toml"
    if toml.exists():
        part = dst / "launch.toml.part"
        shutil.copyfile(toml, part)
        os.replace(part, dst / "launch.toml")


def replay(
    src: Path | str,
    dst: Path | str,
    *,
    speed: float = 600,
    drop_minutes: float = 10,
    wait: bool = True,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[tuple[Drop, list[Path]]]:
    """Write the launch in ``src`` into ``dst`` drop by drop, yielding each drop once published.

    A drop whose window ends ``x`` launch seconds after the launch start is published ``x / speed``
    real seconds after the replay starts (``wait=False``: immediately). ``sleep`` and ``clock``
    are injectable so tests never sleep.
    """
    if speed <= 0:
        raise ReplayError("--speed must be positive")
    src, dst = Path(src), Path(dst)
    the_plan = plan(src, drop_minutes)
    prepare(src, dst)
    width = _width(len(the_plan.drops))
    t0 = clock()
    for drop in the_plan.drops:
        if wait:
            due = t0 + (drop.window_end - the_plan.start).total_seconds() / speed
            delay = due - clock()
            if delay > 0:
                sleep(delay)
        yield drop, publish(write_parts(drop, dst, width))
