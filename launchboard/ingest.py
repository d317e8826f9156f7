"""One file into the Store's tables: staged by its format's reader (``launchboard.readers``),
mapped to the contract (``launchboard.mapping``), checked (``launchboard.checks``) and appended
to ``acc_<table>`` or ``rejected_rows``, with its line in ``files``; or rejected whole with the
reason. And a file's rows taken out again, when its source's settings changed."""
from __future__ import annotations

import dataclasses
import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from . import mapping
from .checks import checked_query
from .config import LaunchConfig
from .persist import identity
from .readers import FileRejected, Format, FoundFile, NotUtf8, Staged, StageJob, format_for
from .schema import ORDER_KEY, ORDER_KEYED, TABLES, WITHDRAWN, Table, ident, stored_extras, withheld


def stage_file(fmt: Format, job: StageJob):
    """A file staged by its format's reader (a context manager yielding ``Staged``)."""
    return fmt.stage(job)


class Extras:
    """Extra (non-contract) columns per table, each with the first (file name, position) that
    has it: their order does not depend on which of the files loading at once came first. Kept
    per file too, so that a file taken out takes the columns only it had. Personal columns
    (``schema.PERSONAL_COLUMNS``) are never among them: only their names are kept, per file."""

    def __init__(self) -> None:
        self.first: dict[str, dict[str, tuple[str, int]]] = {t: {} for t in TABLES}
        self._files: dict[tuple[str, str], list[tuple[int, str]]] = {}
        self._personal: dict[tuple[str, str], list[str]] = {}

    def names(self, table: str) -> list[str]:
        first = self.first[table]
        return sorted(first, key=first.__getitem__)

    def add(self, cur, table: str, file: str, names: list[str]) -> list[tuple[int, str]]:
        """A file's extra columns (position, name); the new ones are added to ``acc_<table>``."""
        stored, first = set(stored_extras(TABLES[table], names)), self.first[table]
        extras = [(position, n) for position, n in enumerate(names) if n in stored]
        self._personal[(table, file)] = withheld(TABLES[table], names)
        kept = [(table, file, position, n, False) for position, n in extras]
        kept += [(table, file, position, n, True) for position, n in enumerate(self._personal[(table, file)])]
        if kept:
            cur.executemany("INSERT INTO file_columns VALUES (?, ?, ?, ?, ?)", kept)
        for position, extra in extras:
            if extra not in first:
                cur.execute("ALTER TABLE " + ident("acc_" + table) + " ADD COLUMN IF NOT EXISTS "
                            + ident(extra) + " VARCHAR")
            first[extra] = min(first.get(extra, (file, position)), (file, position))
        self._files[(table, file)] = extras
        return extras

    def restore(self, cur) -> None:
        """The columns as ``file_columns`` holds them (a database opened again, or a file's
        transaction rolled back)."""
        self.__init__()
        for table, file, position, name, personal in cur.execute(
                "SELECT table_name, file, position, name, personal FROM file_columns ORDER BY ALL").fetchall():
            if personal:
                self._personal.setdefault((table, file), []).append(name)
                continue
            self._files.setdefault((table, file), []).append((position, name))
            first = self.first[table]
            first[name] = min(first.get(name, (file, position)), (file, position))

    def personal(self, table: str, file: str) -> list[str]:
        """The personal columns of a file (not stored)."""
        return self._personal.get((table, file), [])

    def withheld(self) -> dict[str, dict[str, list[str]]]:
        """Personal columns not stored: table -> column -> the files that had it."""
        out: dict[str, dict[str, list[str]]] = {}
        for (table, file), columns in sorted(self._personal.items()):
            for column in columns:
                out.setdefault(table, {}).setdefault(column, []).append(file)
        return {t: dict(sorted(cols.items())) for t, cols in out.items()}

    def drop(self, cur, table: str, file: str) -> None:
        """Forget a file's columns. Those no other file has leave ``acc_<table>`` and its current
        table when the table is rebuilt (derive.rebuild, in its transaction: until then the rows
        of the file taken out are still current, with those columns)."""
        self._files.pop((table, file), None)
        self._personal.pop((table, file), None)
        cur.execute("DELETE FROM file_columns WHERE table_name = $t AND file = $f", {"t": table, "f": file})
        first: dict[str, tuple[str, int]] = {}
        for (t, name), extras in self._files.items():
            for position, extra in extras if t == table else ():
                first[extra] = min(first.get(extra, (name, position)), (name, position))
        self.first[table] = first


# Python's cycle collector, while files are read: a queue_log's calls make millions of small
# objects that live until the file is done, and the default thresholds (700, 10, 10) scan them
# again and again (2 of the 20 s of CPU of the 1M-order launch's queue_log). Process-wide, so
# counted: the first load in sets it, the last one out puts the old thresholds back.
LOAD_GC_THRESHOLDS = (50_000, 20, 100)
_gc_lock = threading.Lock()
_gc_users = 0
_gc_before: tuple[int, ...] = ()


@contextmanager
def collector_relaxed() -> Iterator[None]:
    """The cycle collector at LOAD_GC_THRESHOLDS while the block runs."""
    global _gc_users, _gc_before
    with _gc_lock:
        if _gc_users == 0:
            _gc_before = gc.get_threshold()
            gc.set_threshold(*LOAD_GC_THRESHOLDS)
        _gc_users += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_users -= 1
            if _gc_users == 0:
                gc.set_threshold(*_gc_before)

def load_file(cur, found: FoundFile, scratch: Path, launch: LaunchConfig, extras: Extras,
              append_lock: threading.Lock, where: str, committed: Callable[[], None]) -> None:
    """Stage a file with its format's reader, map it to the contract (its source's [[sources]]
    entry, if any), check its rows and append them under ``append_lock``; or record why the
    whole file is rejected. ``where`` is its path in the data folder. Everything the file adds
    is committed in one transaction with its line in ``files`` and its ``pending_files`` mark
    (launchboard.persist): a process killed meanwhile leaves no trace of it. ``committed()``
    runs right after the commit, still holding ``append_lock``."""
    known = identity(found.path)  # before reading: a change while it is read shows at the next start
    table, source = TABLES[found.table], found.source
    book = {"t": found.table, "f": found.name, "a": datetime.fromtimestamp(known.mtime_ns / 1e9, tz=timezone.utc),
            "b": known.size, "e": None, "s": source.name if source is not None else None,
            "p": source.fingerprint() if source is not None else None,
            "w": where, "m": known.mtime_ns, "h": known.head_tail}
    insert = ("INSERT INTO files (table_name, file, arrived_at, bytes, encoding, status, reason, rows_read,"
              " rows_rejected, source, fingerprint, path, mtime_ns, head_tail) VALUES ($t, $f, $a, $b, $e, ")
    after = ", $s, $p, $w, $m, $h)"
    def attempt(job: StageJob) -> None:
        with stage_file(fmt, job) as staged:
            book["e"] = staged.encoding
            plan = mapping.plan(table, staged, source, fmt.contract_names, launch.timezone)
            missing = [c for c in table.required if c not in plan.names]
            if missing:
                raise FileRejected("missing required column(s): " + ", ".join(missing))
            try:
                cur.execute("CREATE OR REPLACE TEMP TABLE checked AS " + checked_query(
                    table, plan.names, plan.select, carry=plan.carry, hidden=plan.hidden, nomap=plan.nomap,
                    ts=plan.ts, content=plan.content), plan.params)
            except duckdb.Error as exc:
                raise FileRejected(staged.read_error + ": " + str(exc).splitlines()[0]) from exc
            if staged.check is not None:
                staged.check(cur)
            # A new column (ALTER TABLE) must not meet another file's append: one file's
            # transaction at a time, begun inside the lock so that it sees the columns before it.
            with append_lock:
                with transaction(cur, extras):
                    if staged.finish is not None:  # a log's state for its next file goes in with its rows
                        staged.finish(cur, staged)
                    book["n"], book["r"] = append_rows(cur, table, found.name, plan.names, staged, plan.nomap,
                                                       book["s"], extras)
                    cur.execute(insert + "'loaded', NULL, $n, $r" + after, book)
                    if staged.counts:
                        cur.executemany("INSERT INTO source_counts VALUES (?, ?, ?, ?, ?)",
                                        [(found.table, found.name, book["s"], figure, n)
                                         for figure, n in staged.counts.items()])
                    cur.execute("INSERT INTO pending_files VALUES ($t, $f)", {"t": found.table, "f": found.name})
                committed()

    try:
        fmt = format_for(found)
        job = StageJob(cur, found.path, table, source, scratch, launch)
        try:
            attempt(job)
        except NotUtf8:  # UTF-8 at its start only: read again as CP949 (nothing was appended)
            attempt(dataclasses.replace(job, encoding="cp949"))
    except FileRejected as exc:
        with append_lock:
            with transaction(cur, extras):
                cur.execute(insert + "'rejected', $reason, 0, 0" + after, {**book, "reason": str(exc)})
                cur.execute("INSERT INTO pending_files VALUES ($t, $f)", {"t": found.table, "f": found.name})
            committed()


@contextmanager
def transaction(cur, extras: Extras) -> Iterator[None]:
    """One transaction; rolled back on any error, the columns then read again from the database."""
    cur.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        cur.execute("ROLLBACK")
        extras.restore(cur)
        raise
    cur.execute("COMMIT")


def append_rows(cur, table: Table, file: str, names: list[str], staged: Staged, nomap: tuple[str, ...],
                source: str | None, extras: Extras) -> tuple[int, int]:
    """Append the rows of ``checked`` to ``acc_<table>`` or ``rejected_rows``, and the file's
    unreadable records; count the values no map knew. Returns (rows read, rows rejected)."""
    mine = extras.add(cur, table.name, file, names)
    keep = [ident(c) for c in table.names] + [ident(e) for _, e in mine]
    if table.name in ORDER_KEYED:
        keep.append("lb_order_key(order_id) AS " + ident(ORDER_KEY))
    (accepted,) = cur.execute(
        "INSERT INTO " + ident("acc_" + table.name) + " BY NAME SELECT " + ", ".join(keep)
        + ", $file AS _file, " + staged.line + " AS _line FROM checked WHERE _reason = ''",
        {"file": file},
    ).fetchone()
    (rejected,) = cur.execute(
        "INSERT INTO rejected_rows SELECT $table, $file, " + staged.line + ", _reason, _content"
        " FROM checked WHERE _reason <> ''",
        {"table": table.name, "file": file},
    ).fetchone()
    if staged.unreadable is not None:
        # An unreadable record cannot be split into columns: in a file with personal columns its
        # text is not kept (its line, reason and count are).
        personal = extras.personal(table.name, file)
        (unreadable,) = cur.execute(
            "INSERT INTO rejected_rows SELECT $table, $file, * REPLACE (coalesce($withheld, content) AS content) "
            "FROM (SELECT * FROM (" + staged.unreadable + ") AS u(line, reason, content))",
            {"table": table.name, "file": file,
             "withheld": "(not kept: the file has personal columns: " + ", ".join(personal) + ")" if personal else None},
        ).fetchone()
        rejected += unreadable
    for column in nomap:
        cur.execute("INSERT INTO unmapped_values SELECT $table, $file, $source, $column, "
                    + ident("_nomap_" + column) + ", count(*) FROM checked WHERE "
                    + ident("_nomap_" + column) + " IS NOT NULL GROUP BY ALL",
                    {"table": table.name, "file": file, "source": source, "column": column})
    return accepted + rejected, rejected


def unload_file(cur, table: str, file: str, extras: Extras) -> None:
    """Take a file's rows out: its accepted rows (marked ``WITHDRAWN``: the current table shows
    them until the rebuild deletes them), its rejected rows, its bookkeeping, and the extra
    columns only it had; the table is marked to be rebuilt whole (``pending_whole``: which counts
    its keys again). The caller runs it in a transaction."""
    for statement in ("UPDATE " + ident("acc_" + table) + " SET " + ident(WITHDRAWN) + " = true WHERE _file = $f",
                      "DELETE FROM rejected_rows WHERE table_name = $t AND file = $f",
                      "DELETE FROM unmapped_values WHERE table_name = $t AND file = $f",
                      "DELETE FROM source_counts WHERE table_name = $t AND file = $f",
                      "DELETE FROM files WHERE table_name = $t AND file = $f",
                      "DELETE FROM pending_files WHERE table_name = $t AND file = $f",
                      "INSERT INTO pending_whole VALUES ($t)"):
        cur.execute(statement, {"t": table, "f": file} if "$f" in statement and "$t" in statement
                    else {"t": table} if "$t" in statement else {"f": file})
    extras.drop(cur, table, file)
