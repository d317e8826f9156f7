"""Loading the extracts (spec sections 1 to 3): nothing is lost.

Each finished file is read once into DuckDB as text, checked row by row in SQL, and
appended to ``acc_<table>`` (accepted rows, typed) or ``rejected_rows`` (kept with file,
line, reason and content). After new files arrive the current versions (``orders``,
``shipments``, ...) and ``order_facts`` are rebuilt in one transaction, so readers on other
cursors always see a consistent launch.
"""
from __future__ import annotations

import codecs
import csv
import gzip
import io
import os
import tempfile
import threading
import zlib
from concurrent.futures import ThreadPoolExecutor, as_completed
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb

from . import sql
from .config import LaunchConfig, load_config
from .schema import BOOL, ENUM, INTERNAL, TABLES, TS, Table, ident, normalise_header

FINISHED_SUFFIXES = (".csv", ".csv.gz")  # and .parquet, read by DuckDB's own reader
# Current tables an order lookup filters by order_id (or customer_id) are stored sorted, so
# DuckDB's per-row-group min/max statistics skip all but one row group (point lookups at 1M
# orders). Messages are not: sorting 8M wide rows cost ~3 s of the cold load and the lookup
# (which reads them through message_facts) measured no faster for it.
CLUSTER_BY = {"orders": ("order_id",), "shipments": ("order_id",), "activations": ("order_id",),
              "messages": (), "calls": ("customer_id",)}
_CHUNK = 1 << 22
# DuckDB's memory for one launch: at 1M orders (17M rows) the tables take ~6.5 GB in memory
# uncompressed; in a compressed database file with this limit the engine peaks at ~3 GB
# (bench/RESULTS.md) and the report runs faster than from an uncompressed in-memory copy.
MEMORY_LIMIT = "3GB"
# A commit checkpoints (compresses and writes the changed tables) once the write-ahead log
# passes this size. DuckDB's default, 16 MB, made every 1% drop at 1M orders checkpoint inside
# its COMMIT (1.9 s of a 5 s refresh). Big loads write their tables directly and checkpoint
# when they finish (refresh); drops wait in the log until it reaches this size.
CHECKPOINT_THRESHOLD = "1GB"
# Files read at once by a refresh. Reading and checking a file (and gzip, and CP949) leaves a
# core partly idle, so two files overlap; their appends to the tables take turns.
LOAD_WORKERS = min(2, os.cpu_count() or 1)
# Store.stable_before when nothing was loaded since: every moment is unchanged.
END_OF_TIME = datetime.max.replace(tzinfo=timezone.utc)
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# The tables the derived tables of queries/load/order_facts.sql are built from; call_facts
# (queries/load/call_facts.sql) is built from those and calls.
FACT_SOURCES = ("orders", "shipments", "activations", "messages")


class DataDirError(ValueError):
    """The data folder does not exist."""


class StaleVersion(Exception):
    """A refresh published a newer version than the one asked for."""


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


def _quoted(name: str) -> str:
    """A file's own column name as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _open_text_bytes(path: Path):
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")
    return open(path, "rb")


def detect_encoding(path: Path, copy: Path | None = None) -> str:
    """``utf-8`` (BOM or not) or ``cp949``; raises FileRejected when neither decodes the file.

    With ``copy``, the bytes read (decompressed) are also written there while checking UTF-8:
    when the answer is ``utf-8``, ``copy`` is the file as plain text.
    """
    for encoding in ("utf-8", "cp949"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with _open_text_bytes(path) as fh, \
                    (open(copy, "wb") if copy is not None and encoding == "utf-8" else nullcontext()) as out:
                while chunk := fh.read(_CHUNK):
                    decoder.decode(chunk)
                    if out is not None:
                        out.write(chunk)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
        except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
            raise FileRejected(f"cannot read file: {exc}") from exc
    raise FileRejected("cannot decode file as UTF-8 or CP949/EUC-KR")


def read_header(path: Path, encoding: str) -> list[str]:
    """The header row's cells; raises FileRejected when the file has none."""
    with _open_text_bytes(path) as fh:
        text = io.TextIOWrapper(fh, encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline="")
        first = text.readline()
    cells = next(csv.reader([first]), [])
    if not first.strip() or not any(c.strip() for c in cells):
        raise FileRejected("file is empty: no header row")
    return cells


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
            out.append("CASE WHEN " + raw + " IS NULL THEN " + _literal(col.name + " is empty") + " END")
        if col.kind == TS:
            out.append("CASE WHEN " + raw + " IS NOT NULL AND " + ident(col.name) + " IS NULL THEN "
                       + _literal(col.name + " is not a timestamp: ") + " || " + raw + " END")
        if col.kind == BOOL:
            out.append("CASE WHEN " + raw + " IS NOT NULL AND " + ident(col.name) + " IS NULL THEN "
                       + _literal(col.name + " is not a boolean: ") + " || " + raw + " END")
        if col.kind == ENUM:
            allowed = "[" + ", ".join(_literal(v) for v in col.values) + "]"
            out.append("CASE WHEN " + raw + " IS NOT NULL AND NOT list_contains(" + allowed + ", "
                       + ident(col.name) + ") THEN " + _literal(col.name + " has unknown value: ")
                       + " || " + raw + " END")
    for condition, reason in ROW_RULES.get(table.name, []):
        out.append("CASE WHEN " + condition + " THEN " + _literal(reason) + " END")
    return out


def _checked_query(table: Table, names: list[str], source: str) -> str:
    """The rows of ``source`` (one text column per name, in file order) typed and checked.

    Each row gets its table's columns typed (absent ones null), the extra columns as text,
    ``_reason`` (the failed rules joined by '; ', or '') and, for a rejected row only,
    ``_content``: its blanked text as JSON. Rows keep the file's order, so the table this
    query fills numbers them (``rowid``) like the file does.
    """
    known = set(table.names)
    extras = [ident(n) for n in names if n not in known]
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
    content = ", ".join(_literal(c) + ", " + ident("_raw_" + c) for c in table.names) + "".join(
        ", " + _literal(n) + ", " + ident(n) for n in names if n not in known)
    texted = "SELECT " + ", ".join(texts + extras) + " FROM (" + source + ")"
    typed_ = "SELECT " + ", ".join(typed + raws + extras) + " FROM (" + texted + ")"
    reasoned = ("SELECT " + ", ".join(outs + raws) + ", concat_ws('; ', " + ", ".join(_checks(table))
                + ") AS _reason FROM (" + typed_ + ")")
    return ("SELECT " + ", ".join(outs) + ", _reason, CASE WHEN _reason <> '' THEN CAST(json_object("
            + content + ") AS VARCHAR) END AS _content FROM (" + reasoned + ")")


def _plain_utf8(path: Path, text: Path) -> tuple[str, Path]:
    """A CSV's encoding, and the file DuckDB reads: ``path`` itself when it is plain UTF-8,
    else ``text``, written here (decompressed while detecting the encoding, or transcoded
    from CP949 in Python: DuckDB reads only UTF-8)."""
    gz = path.name.lower().endswith(".gz")
    encoding = detect_encoding(path, text if gz else None)
    if encoding == "utf-8":
        return encoding, text if gz else path
    with _open_text_bytes(path) as src, open(text, "w", encoding="utf-8", newline="") as dst:
        reader = io.TextIOWrapper(src, encoding=encoding, newline="")
        while chunk := reader.read(_CHUNK):
            dst.write(chunk)
    return encoding, text


class Store:
    """One launch in one DuckDB database: load, refresh, and hand out cursors.

    All browser sessions share one Store; ``refresh`` is serialised by a lock and publishes
    new data atomically. Readers use ``cursor()``, one per script run or thread.
    """

    def __init__(self, data_dir: Path | str, config: LaunchConfig | None = None):
        self.data_dir = Path(data_dir)
        if not self.data_dir.is_dir():
            raise DataDirError(f"data folder not found: {self.data_dir}")
        self.config = config if config is not None else load_config(self.data_dir)
        self._tmp = tempfile.TemporaryDirectory(prefix="launchboard-")
        # The launch lives in a database file in the scratch folder, removed on close: DuckDB
        # compresses tables when it checkpoints them and keeps at most memory_limit in memory.
        self._db = duckdb.connect(str(Path(self._tmp.name) / "launch.duckdb"),
                                  config={"memory_limit": MEMORY_LIMIT, "temp_directory": self._tmp.name,
                                          "checkpoint_threshold": CHECKPOINT_THRESHOLD})
        self._lock = threading.RLock()
        self._append_lock = threading.Lock()  # one file's rows go into the tables at a time
        self._seen: set[tuple[str, str]] = set()
        # Extra (non-contract) columns per table, each with the first (file name, position) that
        # has it: their order does not depend on which of the files loading at once came first.
        self._extras: dict[str, dict[str, tuple[str, int]]] = {t: {} for t in TABLES}
        # Files whose rows are in acc_<table> but not yet in the current tables, per table; and
        # the extra columns per table at the last rebuild (more since: rebuild the table whole).
        self._pending: dict[str, list[str]] = {}
        self._widths = {t: 0 for t in TABLES}
        self.version = 0
        # Per refresh: (the version it made, the earliest moment it may have changed; None: any).
        self._changes: list[tuple[int, datetime | None]] = []
        cur = self._db.cursor()
        cur.execute("SET GLOBAL TimeZone = " + _literal(self.config.timezone))
        cur.execute(sql.load("macros"))
        cur.execute(sql.load("load/tables"))
        for table in TABLES.values():
            cur.execute(self._create_accepted(table))
        if self.config.templates:
            cur.executemany("INSERT INTO template_catalog VALUES (?, ?)",
                            [(t.name, t.claims) for t in self.config.templates.values()])
        pairs = self.config.conflict_pairs()
        if pairs:
            cur.executemany("INSERT INTO template_conflicts VALUES (?, ?)", pairs)
        self._rebuild(cur, list(TABLES))  # no file yet: there is nothing to compare with
        cur.execute(sql.load("table_macros"))
        cur.close()

    # -- public -----------------------------------------------------------------------------
    def cursor(self) -> duckdb.DuckDBPyConnection:
        cur = self._db.cursor()
        return cur

    @contextmanager
    def snapshot(self, version: int | None = None) -> Iterator[tuple[duckdb.DuckDBPyConnection, int]]:
        """A cursor in one transaction that reads the launch as of one version, and that version:
        the current one, or ``version`` (``StaleVersion`` when a refresh published another since).
        For reads spread over several statements or over time, like the SQL sandbox's copies."""
        cur = self._db.cursor()
        try:
            with self._lock:  # between refreshes the tables are exactly self.version
                if version is not None and version != self.version:
                    raise StaleVersion(f"the launch is at version {self.version}, not {version}")
                cur.execute("BEGIN TRANSACTION")
                cur.execute("SELECT count(*) FROM files").fetchone()  # DuckDB fixes the snapshot at the first read
                pinned = self.version
            yield cur, pinned
            cur.execute("COMMIT")
        finally:
            cur.close()

    def unseen(self) -> int:
        """How many finished files in the data folder no refresh has read yet (does not wait
        for a refresh in progress)."""
        return len(self._new_files())

    def _new_files(self) -> list[FoundFile]:
        seen = set(self._seen)  # a copy: a refresh may be adding to it
        return [f for f in discover(self.data_dir) if (f.table, f.name) not in seen]

    def refresh(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Load files that arrived since the last call; returns how many were new.

        ``progress(done, total)`` is called on this thread as each new file is read; after the
        last one the current and derived tables are rebuilt. Files whose rows went in but whose
        tables were not rebuilt yet (an unexpected error, or one raised by ``progress``, stopped
        the refresh) are rebuilt by the next call, new files or not."""
        with self._lock:
            new = self._new_files()
            if not new and not self._pending:
                return 0
            self._load_files(new, progress)
            pending = {t: sorted(names) for t, names in self._pending.items()}
            widened = {t for t in pending if len(self._extras[t]) != self._widths[t]}
            cur = self._db.cursor()
            try:
                changed_from = self._rebuild(cur, sorted(pending), pending, widened)
                if changed_from is None:  # a table rebuilt whole: compress it now, not in a drop
                    # FORCE: wait for the queries other sessions have in flight (a plain
                    # CHECKPOINT fails while any transaction is open).
                    cur.execute("FORCE CHECKPOINT")
            finally:
                cur.close()
            self._pending.clear()
            self._widths = {t: len(x) for t, x in self._extras.items()}
            self.version += 1
            self._changes.append((self.version, changed_from))
            return len(new)

    def stable_before(self, version: int) -> datetime | None:
        """A moment before which every figure as of a moment, without page filters, is the same
        now as it was at ``version``: the earliest timestamp of any row that the refreshes since
        then added or replaced (a row is seen at T only once one of its timestamps is <= T).
        ``END_OF_TIME`` when nothing was loaded since; None when nothing can be said (a table was
        rebuilt whole since, or ``version`` is not one of this Store's). With page filters it does
        not hold: a later row can change an order's filter fields (its couriers, for one)."""
        with self._lock:
            if not 1 <= version <= self.version:
                return None
            since = [changed for v, changed in self._changes if v > version]
            if any(changed is None for changed in since):
                return None
            return min(since, default=END_OF_TIME)

    def extras(self, table: str) -> list[str]:
        """Extra (non-contract) columns seen so far in a table's files."""
        first = self._extras[table]
        return sorted(first, key=first.__getitem__)

    def close(self) -> None:
        self._db.close()
        self._tmp.cleanup()

    # -- loading one file -------------------------------------------------------------------
    @staticmethod
    def _create_accepted(table: Table) -> str:
        types = {TS: "TIMESTAMPTZ", BOOL: "BOOLEAN"}
        cols = [ident(c.name) + " " + types.get(c.kind, "VARCHAR") for c in table.columns]
        cols += ['"_file" VARCHAR', '"_line" BIGINT']
        return "CREATE TABLE IF NOT EXISTS " + ident("acc_" + table.name) + " (" + ", ".join(cols) + ")"

    def _load_files(self, found: list[FoundFile], progress: Callable[[int, int], None] | None = None) -> None:
        """Load files, LOAD_WORKERS at a time (biggest first), each on its own cursor with its
        own temp tables. A file counts as seen (and pending a rebuild) once its rows are in; an
        unexpected error is raised after the other files finished, so none is loaded twice."""
        def load(f: FoundFile) -> None:
            cur = self._db.cursor()
            try:
                self._load_file(cur, f)
            finally:
                cur.close()
            with self._append_lock:
                self._seen.add((f.table, f.name))
                self._pending.setdefault(f.table, []).append(f.name)

        biggest_first = sorted(found, key=lambda f: f.path.stat().st_size, reverse=True)
        with ThreadPoolExecutor(LOAD_WORKERS, thread_name_prefix="launchboard-load") as pool:
            futures = [pool.submit(load, f) for f in biggest_first]
            if progress is not None:
                for done, _ in enumerate(as_completed(futures), 1):
                    progress(done, len(futures))
        for future in futures:
            future.result()

    def _load_file(self, cur, found: FoundFile) -> None:
        path = found.path
        stat = path.stat()
        arrived = datetime.fromtimestamp(stat.st_mtime, tz=timezone.utc)
        table = TABLES[found.table]
        encoding = None
        try:
            lower = found.name.lower()
            if lower.endswith(".parquet"):
                encoding = "parquet"
                names, line = self._stage_parquet(cur, path, table)
            elif lower.endswith(FINISHED_SUFFIXES):
                text = Path(self._tmp.name) / (found.name + ".utf8.csv")
                try:
                    encoding, source = _plain_utf8(path, text)
                    names, line = self._stage_csv(cur, path, encoding, source, table)
                finally:
                    text.unlink(missing_ok=True)
            else:
                raise FileRejected("not an extract file: expected .csv, .csv.gz or .parquet")
            missing = [c for c in table.required if c not in names]
            if missing:
                raise FileRejected("missing required column(s): " + ", ".join(missing))
        except FileRejected as exc:
            with self._append_lock:
                cur.execute(
                    "INSERT INTO files VALUES ($t, $f, $a, $b, $e, 'rejected', $r, 0, 0, now())",
                    {"t": found.table, "f": found.name, "a": arrived, "b": stat.st_size, "e": encoding,
                     "r": str(exc)},
                )
            return
        with self._append_lock:  # a new column (ALTER TABLE) must not meet another file's append
            rows_read, rejected = self._check_and_append(cur, table, found.name, names, line, encoding != "parquet")
            cur.execute(
                "INSERT INTO files VALUES ($t, $f, $a, $b, $e, 'loaded', NULL, $n, $r, now())",
                {"t": found.table, "f": found.name, "a": arrived, "b": stat.st_size, "e": encoding,
                 "n": rows_read, "r": rejected},
            )

    def _stage_csv(self, cur, path: Path, encoding: str, source: Path, table: Table) -> tuple[list[str], str]:
        """Read a CSV (``source``: its plain UTF-8 text) into temp table ``checked`` (see
        _checked_query); malformed lines go to ``lb_bad_lines``. Returns the column names and
        the SQL of a checked row's line number."""
        cells = read_header(path, encoding)
        names = column_names(cells)
        columns = "{" + ", ".join(_literal("c" + str(i)) + ": 'VARCHAR'" for i in range(len(names))) + "}"
        select = ", ".join("c" + str(i) + " AS " + ident(n) for i, n in enumerate(names))
        cur.execute("DROP TABLE IF EXISTS lb_rejects")
        cur.execute("DROP TABLE IF EXISTS lb_scan")
        try:
            cur.execute(
                "CREATE OR REPLACE TEMP TABLE checked AS " + _checked_query(table, names, (
                    "SELECT " + select + " FROM read_csv($path, columns = " + columns + ", header = true,"
                    " auto_detect = false, delim = ',', quote = '\"', escape = '\"', strict_mode = true,"
                    " null_padding = false, store_rejects = true, rejects_table = 'lb_rejects',"
                    " rejects_scan = 'lb_scan')")),
                {"path": str(source)},
            )
        except duckdb.Error as exc:
            raise FileRejected("cannot read CSV: " + str(exc).splitlines()[0]) from exc
        # DuckDB may log several errors for one line: keep one row per malformed line.
        cur.execute(
            "CREATE OR REPLACE TEMP TABLE lb_bad_lines AS SELECT line, any_value(csv_line) AS csv_line,"
            " min(error_message) AS error_message FROM lb_rejects GROUP BY line"
        )
        # The k-th parsed row (rowid k - 1) is on line k + 1 (after the header), plus one for
        # every malformed line before it.
        line = "checked.rowid + 2"
        if cur.execute("SELECT count(*) FROM lb_bad_lines").fetchone()[0]:
            line += (" + (SELECT count(*) FROM (SELECT line - row_number() OVER (ORDER BY line) AS adj"
                     " FROM lb_bad_lines) AS r WHERE r.adj <= checked.rowid + 1)")
        return names, line

    def _stage_parquet(self, cur, path: Path, table: Table) -> tuple[list[str], str]:
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
            "CAST(" + ("CAST(" + _quoted(orig) + " AS TIMESTAMP)" if typ == "TIMESTAMP_NS" else _quoted(orig))
            + " AS VARCHAR) AS " + ident(n)
            for (orig, typ, *_), n in zip(described, names)
        ]
        try:
            cur.execute(
                "CREATE OR REPLACE TEMP TABLE checked AS "
                + _checked_query(table, names, "SELECT " + ", ".join(as_text) + " FROM read_parquet($path)"),
                {"path": str(path)},
            )
        except duckdb.Error as exc:
            raise FileRejected("cannot read Parquet: " + str(exc).splitlines()[0]) from exc
        return names, "checked.rowid + 1"

    def _check_and_append(self, cur, table: Table, file: str, names: list[str], line: str,
                          csv_file: bool) -> tuple[int, int]:
        """Append the rows of ``checked`` to ``acc_<table>`` or ``rejected_rows``; with
        ``csv_file``, the malformed lines too. Returns (rows read, rows rejected)."""
        known = set(table.names)
        first = self._extras[table.name]
        extras = [(position, n) for position, n in enumerate(names) if n not in known]
        for position, extra in extras:
            if extra not in first:
                cur.execute("ALTER TABLE " + ident("acc_" + table.name) + " ADD COLUMN IF NOT EXISTS "
                            + ident(extra) + " VARCHAR")
            first[extra] = min(first.get(extra, (file, position)), (file, position))
        keep = [ident(c) for c in table.names] + [ident(e) for _, e in extras]
        (accepted,) = cur.execute(
            "INSERT INTO " + ident("acc_" + table.name) + " BY NAME SELECT " + ", ".join(keep)
            + ", $file AS _file, " + line + " AS _line FROM checked WHERE _reason = ''",
            {"file": file},
        ).fetchone()
        (rejected,) = cur.execute(
            "INSERT INTO rejected_rows SELECT $table, $file, " + line + ", _reason, _content"
            " FROM checked WHERE _reason <> ''",
            {"table": table.name, "file": file},
        ).fetchone()
        if csv_file:
            (malformed,) = cur.execute(
                "INSERT INTO rejected_rows SELECT $table, $file, line, "
                "'malformed CSV line: ' || error_message, csv_line FROM lb_bad_lines",
                {"table": table.name, "file": file},
            ).fetchone()
            rejected += malformed
        return accepted + rejected, rejected

    # -- derived tables ---------------------------------------------------------------------
    def _rebuild(self, cur, tables: list[str], new_files: dict[str, list[str]] | None = None,
                 widened: set[str] = frozenset()) -> datetime | None:
        """Rebuild the current versions and order_facts in one transaction.

        With ``new_files``, a table whose new rows are a small share of it (and whose columns did
        not grow) is updated incrementally: only the keys those files touched are re-decided, and
        only the orders (and customers) they touched get new facts. The result is the same as a
        full rebuild; it is just cheaper for a drop into a big launch.

        Returns the earliest timestamp of the rows replaced or added (``END_OF_TIME`` when none),
        or None when a table was rebuilt whole (see ``stable_before``).
        """
        earliest: list[datetime] = []
        whole = False
        cur.execute("BEGIN TRANSACTION")
        try:
            delta = {n for n in tables if new_files is not None and n not in widened
                     and self._small_delta(cur, n, new_files[n])}
            cur.execute("CREATE OR REPLACE TEMP TABLE lb_touched_orders (order_id VARCHAR)")
            cur.execute("CREATE OR REPLACE TEMP TABLE lb_touched_messages (message_id VARCHAR)")
            cur.execute("CREATE OR REPLACE TEMP TABLE lb_touched_calls (call_id VARCHAR)")
            for name in tables:
                table = TABLES[name]
                if name in delta:
                    earliest += self._apply_delta(cur, table, new_files[name])
                    continue
                whole = True
                cluster = ", ".join(ident(c) for c in CLUSTER_BY[name])
                # the contract's columns, then the extras in the order of extras()
                columns = ", ".join(ident(c) for c in [*table.names, *INTERNAL, *self.extras(name)])
                cur.execute(
                    "CREATE OR REPLACE TABLE " + ident(name) + " AS SELECT " + columns + " FROM " + ident("acc_" + name)
                    + " QUALIFY row_number() OVER (PARTITION BY " + ident(table.key)
                    + " ORDER BY updated_at DESC NULLS LAST, _file DESC, _line DESC) = 1"
                    + (" ORDER BY " + cluster if cluster else "")
                )
                cur.execute("INSERT OR REPLACE INTO key_counts SELECT $t, count(*) FROM (SELECT DISTINCT "
                            + ident(table.key) + " FROM " + ident("acc_" + name) + ")", {"t": name})
            facts = set(FACT_SOURCES) & set(tables)
            if facts and not facts <= delta:
                cur.execute(sql.load("load/order_facts"))
                cur.execute(sql.load("load/call_facts"))
            else:
                if facts or "calls" in delta:
                    self._facts_delta(cur)
                if "calls" in tables and "calls" not in delta:  # calls rebuilt whole, the orders' facts not
                    cur.execute(sql.load("load/call_facts"))
            cur.execute("COMMIT")
        except Exception:
            cur.execute("ROLLBACK")
            raise
        return None if whole else min(earliest, default=END_OF_TIME)

    # A refresh whose new rows are at most this share of a table's rows is applied incrementally.
    DELTA_SHARE = 0.2

    def _small_delta(self, cur, name: str, files: list[str]) -> bool:
        total, new = cur.execute(
            "SELECT count(*), count(*) FILTER (WHERE list_contains($files, _file)) FROM " + ident("acc_" + name),
            {"files": files},
        ).fetchone()
        return new <= self.DELTA_SHARE * (total - new)

    def _apply_delta(self, cur, table: Table, files: list[str]) -> list[datetime]:
        """Re-decide the winning version of every key the new files carry (spec 3 versions).
        Returns the earliest timestamp of those keys' rows before and after (when any)."""
        name, key = ident(table.name), ident(table.key)
        cur.execute(
            "CREATE OR REPLACE TEMP TABLE lb_delta_keys AS SELECT DISTINCT " + key + " AS k FROM "
            + ident("acc_" + table.name) + " WHERE list_contains($files, _file)",
            {"files": files},
        )
        # Every version of those keys, read from acc_<table> once for the two uses below.
        cur.execute("CREATE OR REPLACE TEMP TABLE lb_delta_versions AS SELECT * FROM " + ident("acc_" + table.name)
                    + " WHERE " + key + " IN (SELECT k FROM lb_delta_keys)")
        # Keys no earlier file carried are new distinct keys (key_counts, for the quality page).
        cur.execute(
            "UPDATE key_counts SET distinct_keys = distinct_keys + (SELECT count(*) FROM lb_delta_keys ANTI JOIN"
            " (SELECT " + key + " AS k FROM lb_delta_versions WHERE NOT list_contains($files, _file))"
            " USING (k)) WHERE table_name = $t",
            {"files": files, "t": table.name},
        )
        # The earliest timestamp of each row replaced or added (microseconds since the epoch).
        first = " RETURNING epoch_us(least(" + ", ".join(ident(c.name) for c in table.columns if c.kind == TS)
        first += "))"
        touched = ("INSERT INTO lb_touched_orders SELECT " + ("order_id" if table.name != "orders" else key)
                   + " FROM " + name + " WHERE " + key + " IN (SELECT k FROM lb_delta_keys)")
        if table.name in FACT_SOURCES:
            cur.execute(touched)  # the orders these keys belonged to before
        stamps = cur.execute("DELETE FROM " + name + " WHERE " + key + " IN (SELECT k FROM lb_delta_keys)"
                             + first).fetchall()
        stamps += cur.execute(
            "INSERT INTO " + name + " BY NAME SELECT * FROM lb_delta_versions"
            + " QUALIFY row_number() OVER (PARTITION BY " + key
            + " ORDER BY updated_at DESC NULLS LAST, _file DESC, _line DESC) = 1" + first
        ).fetchall()
        if table.name in FACT_SOURCES:
            cur.execute(touched)  # and the orders they belong to now
        if table.name in ("messages", "calls"):
            cur.execute("INSERT INTO lb_touched_" + table.name + " SELECT k FROM lb_delta_keys")
        known = [us for (us,) in stamps if us is not None]
        return [EPOCH + timedelta(microseconds=min(known))] if known else []

    def _facts_delta(self, cur) -> None:
        """The derived tables for the touched orders, their customers, their messages and the
        customers' calls only: the same queries/load/order_facts.sql and call_facts.sql, run in
        a scratch schema holding just those rows. A touched call brings in its caller's orders."""
        cur.execute(
            "CREATE OR REPLACE TEMP TABLE lb_touched_customers AS"
            " SELECT customer_id FROM order_facts WHERE order_id IN (SELECT order_id FROM lb_touched_orders)"
            " UNION SELECT customer_id FROM orders WHERE order_id IN (SELECT order_id FROM lb_touched_orders)"
            " UNION SELECT customer_id FROM calls WHERE call_id IN (SELECT call_id FROM lb_touched_calls)"
        )
        cur.execute(
            "CREATE OR REPLACE TEMP TABLE lb_fact_orders AS SELECT order_id FROM lb_touched_orders"
            " UNION SELECT order_id FROM orders WHERE customer_id IN (SELECT customer_id FROM lb_touched_customers)"
        )
        cur.execute("CREATE SCHEMA IF NOT EXISTS lb_delta")  # scratch; its tables are replaced each time
        for name in ("orders", "shipments", "activations"):
            cur.execute("CREATE OR REPLACE TABLE lb_delta." + ident(name) + " AS SELECT * FROM main." + ident(name)
                        + " WHERE order_id IN (SELECT order_id FROM lb_fact_orders)")
        cur.execute("CREATE OR REPLACE TABLE lb_delta.messages AS SELECT * FROM main.messages"
                    " WHERE order_id IN (SELECT order_id FROM lb_fact_orders)"
                    " OR message_id IN (SELECT message_id FROM lb_touched_messages)")
        cur.execute("CREATE OR REPLACE TABLE lb_delta.calls AS SELECT * FROM main.calls"
                    " WHERE customer_id IN (SELECT customer_id FROM lb_touched_customers)"
                    " OR call_id IN (SELECT call_id FROM lb_touched_calls)")
        cur.execute("SET schema = 'lb_delta'")
        cur.execute("SET search_path = 'lb_delta,main'")
        try:
            cur.execute(sql.load("load/order_facts"))
            cur.execute(sql.load("load/call_facts"))
        finally:
            cur.execute("SET schema = 'main'")
            cur.execute("RESET search_path")
        for name in ("order_facts", "stage_timeline", "orphan_rows"):
            cur.execute("DELETE FROM main." + name + " WHERE order_id IN (SELECT order_id FROM lb_fact_orders)")
            cur.execute("INSERT INTO main." + name + " SELECT * FROM lb_delta." + name)
        cur.execute("DELETE FROM main.message_facts WHERE message_id IN (SELECT message_id FROM lb_delta.messages)")
        cur.execute("INSERT INTO main.message_facts SELECT * FROM lb_delta.message_facts")
        cur.execute("DELETE FROM main.customer_facts WHERE customer_id IN (SELECT customer_id FROM lb_touched_customers)")
        cur.execute("INSERT INTO main.customer_facts SELECT * FROM lb_delta.customer_facts")
        cur.execute("DELETE FROM main.call_facts WHERE call_id IN (SELECT call_id FROM lb_delta.calls)")
        cur.execute("INSERT INTO main.call_facts SELECT * FROM lb_delta.call_facts")


def open_store(data_dir: Path | str, config: LaunchConfig | None = None) -> Store:
    """A Store with every finished file loaded."""
    store = Store(data_dir, config)
    store.refresh()
    return store


