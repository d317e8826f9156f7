"""The Store: one launch in one DuckDB database (spec sections 1 to 3, nothing is lost).

Each finished file is read once (``launchboard.readers``), checked row by row in SQL
(``launchboard.checks``) and appended to ``acc_<table>`` (accepted rows, typed) or
``rejected_rows`` (kept with file, line, reason and content). After new files arrive the current
versions and the derived tables are rebuilt in one transaction (``launchboard.derive``), so
readers on other cursors always see a consistent launch.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import duckdb

from . import derive, ingest, persist, sql
from .checks import literal
from .config import ConfigError, LaunchConfig, load_config, read_sources, state_dir
from .derive import END_OF_TIME
from .readers import READERS, FoundFile, discover
from .schema import TABLES
from .sources import Source

# DuckDB's memory for one launch: at 1M orders (17M rows) the tables take ~6.5 GB in memory
# uncompressed; in a compressed database file with this limit the engine's process peaks under
# 3 GB (2.9 GB measured; with 3GB it peaked at 3.16 GB, the cold load no faster: bench/RESULTS.md) and the report runs faster than from an uncompressed in-memory copy.
MEMORY_LIMIT = "2.5GB"
# A commit checkpoints (compresses and writes the changed tables) once the write-ahead log
# passes this size. DuckDB's default, 16 MB, made every 1% drop at 1M orders checkpoint inside
# its COMMIT (1.9 s of a 5 s refresh). Big loads write their tables directly and checkpoint
# when they finish (refresh); drops wait in the log until it reaches this size.
CHECKPOINT_THRESHOLD = "1GB"
# Files read at once by a refresh. Reading and checking a file (and gzip, and CP949) leaves a
# core partly idle, so two files overlap; their appends to the tables take turns.
LOAD_WORKERS = min(2, os.cpu_count() or 1)


class DataDirError(ValueError):
    """The data folder does not exist."""


class StaleVersion(Exception):
    """A refresh published a newer version than the one asked for."""


def _digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


class Store:
    """One launch in one DuckDB database: load, refresh, and hand out cursors.

    All browser sessions share one Store; ``refresh`` is serialised by a lock and publishes
    new data atomically. Readers use ``cursor()``, one per script run or thread.
    """

    # A refresh whose new rows are at most this share of a table is applied incrementally.
    DELTA_SHARE = derive.DELTA_SHARE

    def __init__(self, data_dir: Path | str, config: LaunchConfig | None = None):
        self.data_dir = Path(data_dir)
        if not self.data_dir.is_dir():
            raise DataDirError(f"data folder not found: {self.data_dir}")
        self.config = config if config is not None else load_config(self.data_dir)
        self.state = state_dir(self.data_dir, self.config)  # ConfigError when inside the data folder
        self.state.mkdir(parents=True, exist_ok=True)
        self._tmp = tempfile.TemporaryDirectory(prefix="launchboard-")
        # The launch lives in a database file in the state folder (launchboard.persist): DuckDB
        # compresses tables when it checkpoints them and keeps at most memory_limit in memory.
        # A second Store on the same state folder keeps its own copy in its scratch folder.
        self._state_lock = persist.StateLock(self.state)
        self.state_busy: str | None = None  # the process id holding the state folder, when not this Store
        if self._state_lock.acquire():
            db = self.state / persist.DB_NAME
        else:
            self.state_busy = self._state_lock.holder()
            db = Path(self._tmp.name) / persist.DB_NAME
        # Why this start built the launch from scratch (empty: a first load, or the database was used).
        self.db_path = db
        self.rebuilt: list[persist.Reason] = []
        self.reused = False  # the database of an earlier start was opened as it was
        self._db = self._open_database(db)
        self._lock = threading.RLock()
        self._append_lock = threading.Lock()  # one file's rows go into the tables at a time
        self._background: list[threading.Thread] = []  # readers close() waits for (``background``)
        # What was read of each file (by path): (table, name, source, fingerprint); a file whose
        # source or source settings changed since is unloaded and read again.
        self._seen: dict[Path, tuple[str, str, str | None, str | None]] = {}
        # launch.toml's [[sources]] are read again on every refresh when the file changed.
        self.sources: tuple[Source, ...] = self.config.sources
        self.sources_error: str | None = None  # why launch.toml's newer sources were not taken
        self._toml = _digest(self.data_dir / "launch.toml")
        self._written: tuple[Source, ...] = ()  # the sources in table `sources`
        self._whole: set[str] = set()  # tables a file was unloaded from: rebuilt whole
        self._extras = ingest.Extras()  # extra (non-contract) columns per table, in a fixed order
        # Files whose rows are in acc_<table> but not yet in the current tables, per table; and
        # the extra columns per table at the last rebuild (more since: rebuild the table whole).
        self._pending: dict[str, list[str]] = {}
        self._widths = {t: 0 for t in TABLES}
        self.version = 0
        # Per refresh: (the version it made, the earliest moment it may have changed; None: any).
        self._changes: list[tuple[int, datetime | None]] = []
        cur = self._db.cursor()
        cur.execute("SET GLOBAL TimeZone = " + literal(self.config.timezone))
        cur.execute(sql.load("macros"))
        if self.reused:
            self._restore(cur)
        else:
            persist.create(cur, self.data_dir, self.config, self.rebuilt)
        cur.execute(sql.load("table_macros"))
        self._write_sources(cur)
        cur.close()

    def _open_database(self, db: Path) -> duckdb.DuckDBPyConnection:
        """The database at ``db``: the one an earlier start left when ``persist.verify`` finds
        nothing against it, else a new one (``self.rebuilt`` says why the old one went)."""
        def connect() -> duckdb.DuckDBPyConnection:
            return duckdb.connect(str(db), config={"memory_limit": MEMORY_LIMIT, "temp_directory": self._tmp.name,
                                                   "checkpoint_threshold": CHECKPOINT_THRESHOLD})
        if db.exists():
            try:
                con = connect()
            except duckdb.Error as exc:  # not a database this DuckDB can open: built again
                self.rebuilt = [persist.Reason("unreadable", None, str(exc).splitlines()[0])]
            else:
                self.rebuilt = persist.verify(con, self.data_dir, self.config)
                if not self.rebuilt:
                    self.reused = True
                    return con
                con.close()
            persist.remove(db)
        return connect()

    def _restore(self, cur) -> None:
        """What the Store knows of a database an earlier start left: the files read, their
        columns, and the work a stopped load left (rebuilt whole: the tables' columns at the last
        rebuild are not known)."""
        for table, name, source, fingerprint, path in cur.execute(
                "SELECT table_name, file, source, fingerprint, path FROM files").fetchall():
            self._seen[self.data_dir / path] = (table, name, source, fingerprint)
        self._extras.restore(cur)
        for table, name in cur.execute("SELECT table_name, file FROM pending_files ORDER BY ALL").fetchall():
            self._pending.setdefault(table, []).append(name)
        for (table,) in cur.execute("SELECT DISTINCT table_name FROM pending_whole").fetchall():
            self._pending.setdefault(table, [])
        self._whole = set(self._pending)
        self._widths = {t: len(x) for t, x in self._extras.first.items()}
        self.version = 1  # the launch as the earlier start left it

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
        """How many finished files in the data folder no refresh has read yet, must read again
        (their source changed) or must take out (no source reads them any more); does not wait
        for a refresh in progress."""
        todo, unload = self._new_files()
        return len({f.path for f in todo} | {path for path, _, _ in unload})

    def _read_sources(self) -> None:
        """Take launch.toml's [[sources]] again when the file changed; an invalid one leaves the
        sources in force and says why in ``sources_error``."""
        digest = _digest(self.data_dir / "launch.toml")
        if digest == self._toml:
            return
        try:
            self.sources, self.sources_error = read_sources(self.data_dir, self.config.timezone), None
        except ConfigError as exc:
            self.sources_error = f"{exc} (the sources in force are kept until it is fixed)"
        self._toml = digest

    def _new_files(self) -> tuple[list[FoundFile], list[tuple[Path, str, str]]]:
        """The files to read (new, or read before by another source or other source settings),
        and the earlier readings to take out first (path, table, name): those, and the files of a
        source folder that no source matches any more (a file deleted from the disk stays)."""
        self._read_sources()
        prints = {s.name: s.fingerprint() for s in self.sources}
        seen = dict(self._seen)  # a copy: a refresh may be adding to it
        found = discover(self.data_dir, self.sources)
        todo = [f for f in found if seen.get(f.path) != self._reading(f, prints)]
        unload = [(f.path, *seen[f.path][:2]) for f in todo if f.path in seen]
        gone = seen.keys() - {f.path for f in found}
        unload += [(path, *seen[path][:2]) for path in sorted(gone) if path.exists()]
        return todo, unload

    @staticmethod
    def _reading(f: FoundFile, prints: dict[str, str]) -> tuple[str, str, str | None, str | None]:
        source = f.source.name if f.source is not None else None
        return f.table, f.name, source, prints.get(source) if source is not None else None

    def refresh(self, progress: Callable[[int, int], None] | None = None,
                building: Callable[[str], None] | None = None) -> int:
        """Load files that arrived since the last call; returns how many were new.

        ``progress(done, total)`` is called on this thread as each new file is read; after the
        last one the current and derived tables are rebuilt, and ``building(step)`` is called
        as each step of a whole rebuild begins (``derive.BUILD_STEPS``). Files whose rows went
        in but whose tables were not rebuilt yet (an unexpected error, or one raised by
        ``progress`` or ``building``, stopped the refresh) are rebuilt by the next call, new
        files or not."""
        with self._lock:
            new, unload = self._new_files()
            if not new and not unload and not self._pending:
                if self._written != self.sources:  # only the list of sources changed
                    self._publish_sources()
                return 0
            cur = self._db.cursor()
            try:
                self._write_sources(cur)
                if unload:
                    with ingest.transaction(cur, self._extras):
                        for _, table, name in unload:
                            self._unload(cur, table, name)
                    for path, _, _ in unload:
                        self._seen.pop(path, None)
            finally:
                cur.close()
            self._load_files(new, progress)
            if progress is not None and not new:  # only a stopped load's tables to build
                progress(0, 0)
            pending = {t: sorted(names) for t, names in self._pending.items()}
            widened = {t for t in pending if len(self._extras.first[t]) != self._widths[t]} | self._whole
            cur = self._db.cursor()
            try:
                changed_from = derive.rebuild(cur, sorted(pending), {t: self.extras(t) for t in TABLES}, pending,
                                              widened, self.DELTA_SHARE,
                                              conflict_window_hours=self.config.conflict_window_hours,
                                              before_commit=persist.done_pending, step=building,
                                              first=self.version == 0 and not self.reused)
                if changed_from is None:  # a table rebuilt whole: compress it now, not in a drop
                    if building is not None:
                        building("checkpoint")
                    # FORCE: wait for the queries other sessions have in flight (a plain
                    # CHECKPOINT fails while any transaction is open).
                    cur.execute("FORCE CHECKPOINT")
            finally:
                cur.close()
            self._pending.clear()
            self._whole.clear()
            self._widths = {t: len(x) for t, x in self._extras.first.items()}
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
        return self._extras.names(table)

    def withheld(self) -> dict[str, dict[str, list[str]]]:
        """Personal columns not stored (``schema.PERSONAL_COLUMNS``): table -> column -> files."""
        with self._append_lock:
            return self._extras.withheld()

    def pending(self) -> bool:
        """Whether files read (by a load that stopped) wait for the tables to be built."""
        return bool(self._pending)

    def background(self, work: Callable[[], object], name: str) -> threading.Thread:
        """Run ``work()`` on a daemon thread that reads the launch; ``close`` waits for it."""
        thread = threading.Thread(target=work, name=name, daemon=True)
        with self._lock:
            self._background = [t for t in self._background if t.is_alive()] + [thread]
        thread.start()
        return thread

    def close(self) -> None:
        with self._lock:
            waiting = list(self._background)
        for thread in waiting:
            thread.join()
        self._db.close()
        self._state_lock.release()
        self._tmp.cleanup()

    # -- loading one file -------------------------------------------------------------------
    def _load_files(self, found: list[FoundFile], progress: Callable[[int, int], None] | None = None) -> None:
        """Load files, LOAD_WORKERS at a time (biggest first), each on its own cursor with its
        own temp tables. A file counts as seen (and pending a rebuild) once its rows are in; an
        unexpected error is raised after the other files finished, so none is loaded twice."""
        def load(f: FoundFile) -> None:
            def committed() -> None:  # with the append lock held, right after the file's commit
                prints = {f.source.name: f.source.fingerprint()} if f.source is not None else {}
                self._seen[f.path] = self._reading(f, prints)
                self._pending.setdefault(f.table, []).append(f.name)

            cur = self._db.cursor()
            try:
                ingest.load_file(cur, f, Path(self._tmp.name), self.config, self._extras, self._append_lock,
                                 f.path.relative_to(self.data_dir).as_posix(), committed)
            finally:
                cur.close()

        def load_in_turn(files: list[FoundFile]) -> None:
            for f in files:
                load(f)

        # A source whose format reads its files in order (a log going on in the next file) is
        # one task, its files by name; every other file is a task of its own.
        tasks: list[list[FoundFile]] = []
        in_order: dict[str, list[FoundFile]] = {}
        for f in found:
            if f.source is not None and READERS[f.source.format].in_order:
                in_order.setdefault(f.source.name, []).append(f)
            else:
                tasks.append([f])
        tasks += [sorted(files, key=lambda f: f.name) for files in in_order.values()]
        biggest_first = sorted(tasks, key=lambda fs: sum(f.path.stat().st_size for f in fs), reverse=True)
        with ingest.collector_relaxed(), \
                ThreadPoolExecutor(LOAD_WORKERS, thread_name_prefix="launchboard-load") as pool:
            futures = {pool.submit(load_in_turn, fs): len(fs) for fs in biggest_first}
            if progress is not None:
                done = 0
                for future in as_completed(futures):
                    done += futures[future]
                    progress(done, len(found))
        for future in futures:
            future.result()

    def _unload(self, cur, table: str, file: str) -> None:
        """Take a file's rows out (it is read again, or no source reads it any more); its table
        is rebuilt whole."""
        ingest.unload_file(cur, table, file, self._extras)
        self._whole.add(table)
        self._pending.setdefault(table, [])

    def _publish_sources(self) -> None:
        """A new version whose only change is the list of sources (no row changed)."""
        cur = self._db.cursor()
        try:
            self._write_sources(cur)
        finally:
            cur.close()
        self.version += 1
        self._changes.append((self.version, END_OF_TIME))

    def _write_sources(self, cur) -> None:
        """The sources in force, in table ``sources`` (for the Data quality page)."""
        self._written = self.sources
        cur.execute("DELETE FROM sources")
        if self.sources:
            cur.executemany("INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?)",
                            [(s.name, s.table, s.format, i, s.files, s.folder, s.fingerprint())
                             for i, s in enumerate(self.sources, 1)])


def open_store(data_dir: Path | str, config: LaunchConfig | None = None) -> Store:
    """A Store with every finished file loaded."""
    store = Store(data_dir, config)
    store.refresh()
    return store
