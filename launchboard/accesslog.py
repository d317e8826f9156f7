"""The access log: who signed in, looked up whom, revealed a phone, downloaded or queried what.

One SQLite file, ``access_log.sqlite3`` in the launch's state folder (``config.state_dir``),
outside the data folder. SQLite rather than JSON lines: triggers refuse every UPDATE and DELETE,
appends from several sessions and processes are serialised by SQLite's own lock, and the
sign-in rate limit and the admin's page query it by user and event. Each row also carries a
SHA-256 chain over the row before it, so a row changed or removed outside the app (the triggers
cannot stop someone who owns the file) shows as a broken chain on the admin's page.

Nothing here deletes or edits a row: the class appends and reads. No page runs SQL on it (the
Explore sandbox is a separate DuckDB without file access).
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from .config import LaunchConfig, state_dir
from .i18n import N_

FILE_NAME = "access_log.sqlite3"

# Events and what their fields hold (target: the order, customer or file concerned; detail: the
# search, the query, the reason).
EVENTS = {  # event -> what it means (translated where shown)
    "sign_in": N_("signed in"),
    "sign_in_failed": N_("sign-in failed (wrong name or password)"),
    "sign_in_refused": N_("sign-in refused: too many failures in a row"),
    "not_allowed": N_("an identity or a page the role may not have"),
    "sign_out": N_("signed out (detail: by the user, or idle)"),
    "lookup": N_("order lookup (target: customer and orders shown; detail: the search)"),
    "phone_reveal": N_("phone number shown after the caller's last four digits were confirmed"),
    "phone_confirm_failed": N_("the digits typed did not match the order's phone"),
    "download": N_("a file downloaded (target: file name; detail: page)"),
    "explore_query": N_("an Explore (SQL) query run (detail: the SQL)"),
    "user_added": N_("the users file changed (command line)"),
    "user_changed": N_("the users file changed (command line)"),
    "user_removed": N_("the users file changed (command line)"),
}
COLUMNS = ("id", "at", "user", "role", "event", "page", "target", "detail", "session", "hash")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS access_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,           -- UTC, ISO 8601 with microseconds
    user TEXT NOT NULL,         -- the user name as typed (lower case); '-' when sign-in is off
    role TEXT,
    event TEXT NOT NULL,
    page TEXT,
    target TEXT,
    detail TEXT,
    session TEXT,               -- the browser session (one per tab)
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS access_log_user_event ON access_log (user, event, id);
CREATE TRIGGER IF NOT EXISTS access_log_no_update BEFORE UPDATE ON access_log
BEGIN SELECT RAISE(ABORT, 'the access log is append-only: rows cannot be changed'); END;
CREATE TRIGGER IF NOT EXISTS access_log_no_delete BEFORE DELETE ON access_log
BEGIN SELECT RAISE(ABORT, 'the access log is append-only: rows cannot be deleted'); END;
"""
GENESIS = "0" * 64


class AccessLogError(RuntimeError):
    """The access log cannot be written; the app refuses the action rather than go unlogged."""


def _digest(prev: str, row: tuple) -> str:
    text = json.dumps([prev, *row], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Chain:
    rows: int
    intact: bool
    first_bad: int | None = None  # id of the first row whose hash does not follow


class AccessLog:
    """Appends and reads one access log file (created with its folder on first use)."""

    def __init__(self, path: Path | str):
        self.path = Path(path)

    @classmethod
    def in_folder(cls, folder: Path | str) -> "AccessLog":
        return cls(Path(folder) / FILE_NAME)

    def _connect(self) -> sqlite3.Connection:
        if not self.path.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            self.path.touch(mode=0o600)
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL")
        con.executescript(_SCHEMA)
        return con

    def append(self, event: str, *, user: str, role: str | None = None, page: str | None = None,
               target: str | None = None, detail: str | None = None, session: str | None = None,
               at: datetime | None = None) -> int:
        """Append one event; returns its id. Raises AccessLogError when it cannot be written."""
        if event not in EVENTS:
            raise ValueError(f"unknown access-log event {event!r}")
        when = (at or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="microseconds")
        try:
            con = self._connect()
            try:
                con.execute("BEGIN IMMEDIATE")  # one writer at a time: the chain stays a chain
                last = con.execute("SELECT id, hash FROM access_log ORDER BY id DESC LIMIT 1").fetchone()
                prev = last[1] if last else GENESIS
                new_id = (last[0] if last else 0) + 1
                row = (new_id, when, user, role, event, page, target, detail, session)
                con.execute("INSERT INTO access_log (id, at, user, role, event, page, target, detail, session, "
                            "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            (*row, prev, _digest(prev, row)))
                con.execute("COMMIT")
                return new_id
            except BaseException:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                raise
            finally:
                con.close()
        except (sqlite3.Error, OSError) as exc:
            raise AccessLogError(f"cannot write the access log {self.path.name}: {exc}") from exc

    def frame(self, *, users: list[str] | None = None, events: list[str] | None = None,
              limit: int | None = None) -> pd.DataFrame:
        """Rows, newest first (``at`` as UTC timestamps), optionally only some users or events."""
        where, values = [], []
        if users:
            where.append("user IN (" + ",".join("?" * len(users)) + ")")
            values += users
        if events:
            where.append("event IN (" + ",".join("?" * len(events)) + ")")
            values += events
        query = ("SELECT " + ", ".join(COLUMNS) + " FROM access_log"
                 + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id DESC"
                 + (" LIMIT ?" if limit else ""))
        if limit:
            values.append(int(limit))
        if not self.path.exists():
            return pd.DataFrame(columns=list(COLUMNS))
        con = self._connect()
        try:
            rows = con.execute(query, values).fetchall()
        finally:
            con.close()
        df = pd.DataFrame(rows, columns=list(COLUMNS))
        df["at"] = pd.to_datetime(df["at"], utc=True, format="ISO8601")
        return df

    def count(self) -> int:
        if not self.path.exists():
            return 0
        con = self._connect()
        try:
            return con.execute("SELECT count(*) FROM access_log").fetchone()[0]
        finally:
            con.close()

    def users(self) -> list[str]:
        if not self.path.exists():
            return []
        con = self._connect()
        try:
            return [r[0] for r in con.execute("SELECT DISTINCT user FROM access_log ORDER BY 1")]
        finally:
            con.close()

    def attempts(self, user: str, limit: int = 10_000) -> list[tuple[datetime, bool]]:
        """The user name's checked sign-in attempts since its last success (oldest first), for
        the rate limit: (when, succeeded). Refused attempts are not among them."""
        if not self.path.exists():
            return []
        con = self._connect()
        try:
            rows = con.execute(
                "SELECT at, event = 'sign_in' FROM access_log WHERE user = ? AND event IN ('sign_in', "
                "'sign_in_failed') AND id >= coalesce((SELECT max(id) FROM access_log WHERE user = ? "
                "AND event = 'sign_in'), 0) ORDER BY id DESC LIMIT ?", (user, user, limit)).fetchall()
        finally:
            con.close()
        return [(datetime.fromisoformat(at), bool(ok)) for at, ok in reversed(rows)]

    def verify(self) -> Chain:
        """Recompute the hash chain: intact when every row follows the one before it."""
        if not self.path.exists():
            return Chain(0, True)
        con = self._connect()
        try:
            prev, n = GENESIS, 0
            cur = con.execute("SELECT id, at, user, role, event, page, target, detail, session, prev_hash, hash "
                              "FROM access_log ORDER BY id")
            expected_id = 1
            for *row, prev_hash, digest in cur:
                n += 1
                if row[0] != expected_id or prev_hash != prev or _digest(prev, tuple(row)) != digest:
                    return Chain(n, False, row[0])
                prev, expected_id = digest, expected_id + 1
            return Chain(n, True)
        finally:
            con.close()


def for_launch(data_dir: Path | str, config: LaunchConfig) -> AccessLog:
    """The access log of a launch: in its state folder."""
    return AccessLog.in_folder(state_dir(data_dir, config))


def os_user() -> str:
    """Who ran a command on the server, for the log's command-line events."""
    try:
        import getpass

        return "cli:" + getpass.getuser()
    except (KeyError, OSError):
        return "cli:uid" + str(os.getuid())
