"""The Store's database kept in the launch's state folder (``config.state_dir``), so that a
server restarted on a folder it has already loaded shows the launch at once.

``launch.duckdb`` in the state folder holds the launch as loaded: the tables, and per file read
its path, size, modification time and a hash of its first and last 64 KiB (table ``files``).
When a Store opens it, ``verify`` decides whether it can be used as it is:

- it was written by this version of Launchboard (``code_version``: the schema version and a
  digest of the code and SQL that write the tables) for this data folder, with the same
  settings that change what is stored (``load_settings``: the time zone, the call and conflict
  windows, the template catalog; the ``[[sources]]`` are compared per file by the loader), and
  it finished being created (``lb_meta`` is written last);
- every file it read is still there, with the same size, modification time and head/tail hash.

Otherwise it is deleted and the launch is built from scratch (``create`` makes the new
database, ``lb_meta`` last); why (``Reason``) is kept in the new database (table
``lb_rebuilt``) for the Data quality page.

Crash safety (a killed process never leaves a half-done load taken as done): each file's rows,
its line in ``files``, its columns (``file_columns``) and its ``pending_files`` mark are committed
in one transaction; the current and derived tables are rebuilt in one transaction that also
clears ``pending_files`` (and ``pending_whole``, a table a file was taken out of). A Store that
opens a database with pending marks finishes that work first.

One writer: DuckDB lets one process open a database file for writing. ``StateLock`` (an
``flock`` on ``launch.lock``, released by the kernel when the process dies) is taken before the
database is looked at; a second Store on the same state folder, in this process or another,
does not get it and keeps its own copy of the launch in a scratch folder (``Store.state_busy``
says so), so it neither waits nor touches the first one's database.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import duckdb

from . import derive, sql
from .config import LaunchConfig
from .schema import CURRENT, ORDER_KEY, ORDER_KEYED, TABLES, WITHDRAWN, Table, column_defs, current_view, ident

# Raise when the stored tables change meaning in a way the code digest would not show (say, a
# change of DuckDB's storage that keeps our code as it is).
SCHEMA_VERSION = 1
DB_NAME = "launch.duckdb"
LOCK_NAME = "launch.lock"
BLOCK = 64 * 1024  # bytes hashed at each end of a file

_PACKAGE = Path(__file__).resolve().parent
_QUERIES = _PACKAGE.parent / "queries"
# What decides the stored tables: a change in any of these rebuilds a database written before.
_CODE = ("loader.py", "ingest.py", "derive.py", "checks.py", "mapping.py", "resolve.py", "schema.py",
         "sources.py", "queue_log.py", "courier_words.py", "phones.py", "timeutil.py", "sql.py", "persist.py")


@dataclass(frozen=True)
class Reason:
    """Why a launch was built from scratch. ``kind``: changed | disappeared | version | settings
    | folder | unreadable | incomplete; ``file`` the file's path in the data folder (for changed
    and disappeared); ``detail`` what differs (e.g. "size", the names of the settings)."""
    kind: str
    file: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class Identity:
    """What is remembered of a file to know it again: size, modification time (ns), and a hash of
    its first and last BLOCK bytes."""
    size: int
    mtime_ns: int
    head_tail: str


def identity(path: Path) -> Identity:
    """The identity of a file as it is now (follows symbolic links)."""
    with open(path, "rb") as f:
        stat = os.fstat(f.fileno())
        digest = hashlib.sha256(f.read(BLOCK))
        if stat.st_size > BLOCK:
            f.seek(max(BLOCK, stat.st_size - BLOCK))
            digest.update(f.read(BLOCK))
    return Identity(stat.st_size, stat.st_mtime_ns, digest.hexdigest())


@lru_cache(maxsize=1)
def code_version() -> str:
    """The schema version and a digest of the code and SQL that write the stored tables."""
    digest = hashlib.sha256(f"{SCHEMA_VERSION}|duckdb {duckdb.__version__}".encode())
    files = [_PACKAGE / name for name in _CODE] + sorted((_PACKAGE / "readers").glob("*.py"))
    files += sorted((_QUERIES / "load").glob("*.sql")) + [_QUERIES / "macros.sql", _QUERIES / "table_macros.sql"]
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return f"{SCHEMA_VERSION}-{digest.hexdigest()[:12]}"


def load_settings(config: LaunchConfig) -> dict[str, str]:
    """The launch.toml settings that change what is stored (not the [[sources]]: those are
    compared per file), each as text."""
    templates = sorted((t.name, t.claims, sorted(t.conflicts_with)) for t in config.templates.values())
    return {"launch.timezone": config.timezone,
            "messages.call_window_hours": repr(float(config.call_window_hours)),
            "messages.conflict_window_hours": repr(float(config.conflict_window_hours)),
            "templates": json.dumps(templates, ensure_ascii=False)}


def meta(data_dir: Path, config: LaunchConfig) -> dict[str, str]:
    """What ``lb_meta`` holds for a database that may be used for this folder and settings."""
    return {"code": code_version(), "folder": str(data_dir.resolve()),
            "settings": json.dumps(load_settings(config), sort_keys=True)}


def verify(cur, data_dir: Path, config: LaunchConfig) -> list[Reason]:
    """Why the database on ``cur`` cannot be used for this launch as it is (empty: it can)."""
    try:
        stored = dict(cur.execute("SELECT key, value FROM lb_meta").fetchall())
    except duckdb.CatalogException:
        stored = {}
    if not stored:
        return [Reason("incomplete")]
    wanted = meta(data_dir, config)
    if stored.get("code") != wanted["code"]:
        return [Reason("version", None, f"{stored.get('code') or '?'} -> {wanted['code']}")]
    if stored.get("folder") != wanted["folder"]:
        return [Reason("folder", None, stored.get("folder"))]
    if stored.get("settings") != wanted["settings"]:
        before = json.loads(stored.get("settings") or "{}")
        now = json.loads(wanted["settings"])
        return [Reason("settings", None, ", ".join(k for k in sorted(now) if before.get(k) != now[k]))]
    reasons = []
    for path, size, mtime_ns, head_tail in cur.execute(
            "SELECT path, bytes, mtime_ns, head_tail FROM files ORDER BY path").fetchall():
        try:
            now_is = identity(data_dir / path)
        except FileNotFoundError:
            reasons.append(Reason("disappeared", path))
            continue
        differs = [what for what, same in (("size", now_is.size == size), ("modification time", now_is.mtime_ns == mtime_ns),
                                           ("content", now_is.head_tail == head_tail)) if not same]
        if differs:
            reasons.append(Reason("changed", path, ", ".join(differs)))
    return reasons


def create(cur, data_dir: Path, config: LaunchConfig, rebuilt: list[Reason]) -> None:
    """A new database: the tables, the settings, empty current tables, why it was built
    (``rebuilt``), and last ``lb_meta`` (a database without it was not finished and is built again)."""
    cur.execute(sql.load("load/tables"))
    for table in TABLES.values():
        cur.execute(_create_accepted(table))
        cur.execute(current_view(table))
    cur.execute("DELETE FROM launch_settings")
    cur.execute("INSERT INTO launch_settings VALUES (?)", [config.call_window_hours])
    if config.templates:
        cur.executemany("INSERT INTO template_catalog VALUES (?, ?)",
                        [(t.name, t.claims) for t in config.templates.values()])
    pairs = config.conflict_pairs()
    if pairs:
        cur.executemany("INSERT INTO template_conflicts VALUES (?, ?)", pairs)
    derive.rebuild(cur, list(TABLES), {t: [] for t in TABLES},  # no file yet: there is nothing to compare with
                   conflict_window_hours=config.conflict_window_hours)
    if rebuilt:
        cur.executemany("INSERT INTO lb_rebuilt VALUES (?, ?, ?, now())",
                        [(r.kind, r.file, r.detail) for r in rebuilt])
    cur.execute("BEGIN TRANSACTION")
    cur.execute("CREATE TABLE lb_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)")
    cur.executemany("INSERT INTO lb_meta VALUES (?, ?)", list(meta(data_dir, config).items()))
    cur.execute("COMMIT")


def _create_accepted(table: Table) -> str:
    keyed = [ident(ORDER_KEY) + " UINTEGER"] if table.name in ORDER_KEYED else []
    return ("CREATE TABLE IF NOT EXISTS " + ident("acc_" + table.name) + " ("
            + ", ".join([*column_defs(table), ident(CURRENT) + " BOOLEAN DEFAULT false",
                         ident(WITHDRAWN) + " BOOLEAN DEFAULT false", *keyed]) + ")")


def done_pending(cur) -> None:
    """In the rebuild's transaction: no file waits any more (crash safety, above)."""
    cur.execute("DELETE FROM pending_files")
    cur.execute("DELETE FROM pending_whole")


def remove(db: Path) -> None:
    """Delete a database and its write-ahead log."""
    for path in (db, db.with_name(db.name + ".wal")):
        path.unlink(missing_ok=True)


class StateLock:
    """An exclusive ``flock`` on the state folder's ``launch.lock``, held while a Store uses the
    database there. The kernel releases it when the process ends, however it ends."""

    def __init__(self, folder: Path):
        self.path = folder / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> bool:
        """Take the lock if it is free (never waits); True when taken."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        return True

    def holder(self) -> str:
        """The process id written by the holder (may be stale text when nobody holds it)."""
        try:
            return self.path.read_text().strip() or "?"
        except OSError:
            return "?"

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the flock
            self._fd = None
