"""Explore: analysts' SQL on a locked-down copy of the curated launch tables.

The sandbox is its own DuckDB database, separate from the Store. It is built from the curated
views of ``queries/explore_*.sql`` (phone-like columns masked before the rows leave the Store),
written to a temporary file, then reopened read-only with file, network and extension access
disabled and the configuration locked. A query must be exactly one SELECT (or WITH … SELECT)
statement; it is interrupted past a time limit and its result is capped.
"""
from __future__ import annotations

import re
import shutil
import tempfile
import threading
import time
import uuid
import weakref
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from . import sql
from .schema import ident

# Sandbox table -> (query file, what a row is). The order is the schema browser's.
VIEWS: dict[str, tuple[str, str]] = {
    "orders": ("explore_orders", "one row per order (current version); phone masked"),
    "order_stages": ("explore_order_stages", "one row per order existing at the moment, with its stage then"),
    "shipments": ("explore_shipments", "one row per courier tracking event"),
    "activations": ("explore_activations", "one row per activation attempt"),
    "messages": ("explore_messages", "one row per outbound notification"),
    "calls": ("explore_calls", "one row per inbound call"),
    "rejected_rows": ("explore_rejected_rows", "one row per rejected row; phone numbers in content masked"),
    "files": ("explore_files", "one row per extract file, loaded or rejected"),
}
# Columns masked like orders.phone, extra columns included (Korean exports: 전화, 휴대폰, 연락처).
PHONE_COLUMN = re.compile(r"phone|mobile|msisdn|(^|_)tel(_|$)|전화|휴대|핸드폰|연락처")
ALLOWED = "SELECT"

EXAMPLES: dict[str, str] = {
    "Orders by stage (at the moment)": (
        "SELECT stage, count(*) AS orders\nFROM order_stages\nGROUP BY stage\nORDER BY orders DESC"
    ),
    "Deliveries per hour": (
        "SELECT date_trunc('hour', event_at) AS hour, count(*) AS delivered\nFROM shipments\n"
        "WHERE event = 'delivered'\nGROUP BY hour\nORDER BY hour"
    ),
    "Activation failures by error code": (
        "SELECT error_code, count(*) AS failed\nFROM activations\nWHERE result = 'failed'\n"
        "GROUP BY error_code\nORDER BY failed DESC"
    ),
    "Calls lost per hour": (
        "SELECT date_trunc('hour', arrived_at) AS hour,\n"
        "       count(*) FILTER (WHERE outcome <> 'answered') AS lost,\n       count(*) AS offered\n"
        "FROM calls\nGROUP BY hour\nORDER BY hour"
    ),
    "Messages by template and status": (
        "SELECT template, status, count(*) AS messages\nFROM messages\nGROUP BY ALL\nORDER BY messages DESC"
    ),
    "Orders past their delivery promise, by region": (
        "SELECT region, count(*) AS late_orders\nFROM order_stages\n"
        "WHERE promised_delivery_by <= stage_as_of\n"
        "  AND stage <> 'cancelled'\n"
        "  AND (first_delivered_at IS NULL OR first_delivered_at > promised_delivery_by)\n"
        "GROUP BY region\nORDER BY late_orders DESC"
    ),
    "Rejected rows by reason": (
        "SELECT table_name, reason, count(*) AS rows\nFROM rejected_rows\nGROUP BY ALL\nORDER BY rows DESC"
    ),
}


class SandboxError(Exception):
    """A query the sandbox refused or that failed; the message is for the analyst."""


@dataclass(frozen=True)
class Result:
    table: pa.Table  # at most row_cap rows (DuckDB makes repeated column names unique)
    truncated: bool  # the query had more than row_cap rows
    seconds: float

    def frame(self) -> pd.DataFrame:
        """The rows for display: types a table widget cannot show become text, decimals floats."""
        df = self.table.to_pandas()
        for field in self.table.schema:
            t = field.type
            if pa.types.is_decimal(t):
                df[field.name] = df[field.name].astype("float64")
            elif not _displayable(t):
                df[field.name] = [None if v is None else str(v) for v in df[field.name]]
        return df


def _displayable(t: pa.DataType) -> bool:
    return (pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t)
            or pa.types.is_string(t) or pa.types.is_large_string(t)
            or pa.types.is_timestamp(t) or pa.types.is_date(t) or pa.types.is_time(t))


def check_statement(query: str) -> str:
    """The text of the one SELECT statement in ``query``; SandboxError otherwise."""
    try:
        statements = duckdb.extract_statements(query)
    except duckdb.Error as exc:
        raise SandboxError(_message(exc)) from exc
    if not statements:
        raise SandboxError("Write one SELECT query (or WITH … SELECT).")
    if len(statements) > 1:
        raise SandboxError(f"Only one statement at a time: this text holds {len(statements)}.")
    kind = statements[0].type.name
    if kind != ALLOWED:
        article = "an" if kind[0] in "AEIOU" else "a"
        raise SandboxError(f"Only SELECT (or WITH … SELECT) queries run here; this is {article} {kind} statement.")
    return statements[0].query.strip().rstrip(";")


def _message(exc: duckdb.Error) -> str:
    text = str(exc).strip()
    if isinstance(exc, duckdb.PermissionException):
        return "Not allowed here (no file, network or extension access): " + text
    return text


def write_curated(store, as_of: datetime, path: str) -> None:
    """Write the curated views' rows into a new DuckDB file at ``path``, straight from the Store
    (no copy through Python), phone-like columns masked before they leave the Store."""
    params = {"as_of": as_of}
    alias = ident("lb_sandbox_" + uuid.uuid4().hex)  # each build attaches under its own name
    cur = store.cursor()
    try:
        cur.execute("ATTACH $path AS " + alias, {"path": path})
        try:
            for name, (query, _) in VIEWS.items():
                text, values = sql.load(query), sql.bind(query, params)
                columns = [row[0] for row in cur.execute("DESCRIBE " + text, values).fetchall()]
                phones = [c for c in columns if PHONE_COLUMN.search(c)]
                if phones:
                    masked = ", ".join("lb_mask_phone(" + ident(c) + ") AS " + ident(c) for c in phones)
                    text = "SELECT * REPLACE (" + masked + ") FROM (" + text + ")"
                cur.execute("CREATE TABLE " + alias + "." + ident(name) + " AS " + text, values)
        finally:
            cur.execute("DETACH " + alias)
    finally:
        cur.close()


def _close(con: duckdb.DuckDBPyConnection, folder: str) -> None:
    con.close()
    shutil.rmtree(folder)


class Sandbox:
    """A read-only, locked-down DuckDB database holding copies of the curated tables."""

    def __init__(self, path: str, folder: str, timezone: str, *, memory_limit: str = "1GB", threads: int = 1):
        """Open the database file ``path`` (written by ``write_curated``) read-only and locked;
        ``folder``, which holds it, is removed when the sandbox is closed."""
        self._con = duckdb.connect(path, read_only=True, config={
            "memory_limit": memory_limit,
            "threads": threads,
            "enable_external_access": False,
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "python_enable_replacements": False,
        })
        # The time zone comes with the ICU extension, so it is set after connecting; then the lock.
        self._con.execute("SET GLOBAL TimeZone = $tz", {"tz": timezone})
        self._con.execute("SET GLOBAL lock_configuration = true")
        self._finalizer = weakref.finalize(self, _close, self._con, folder)

    @classmethod
    def from_store(cls, store, as_of: datetime) -> "Sandbox":
        folder = tempfile.mkdtemp(prefix="launchboard-sandbox-")
        path = str(Path(folder) / "sandbox.duckdb")
        try:
            write_curated(store, as_of, path)
        except BaseException:
            shutil.rmtree(folder)
            raise
        return cls(path, folder, store.config.timezone)

    def close(self) -> None:
        self._finalizer()

    def schema(self) -> pd.DataFrame:
        """table, column, type of every sandbox table, in VIEWS order then column order."""
        cur = self._con.cursor()
        try:
            df = cur.execute(
                "SELECT table_name AS \"table\", column_name AS \"column\", data_type AS \"type\" "
                "FROM information_schema.columns ORDER BY table_name, ordinal_position"
            ).df()
        finally:
            cur.close()
        order = {name: i for i, name in enumerate(VIEWS)}
        return df.sort_values("table", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)

    def row_counts(self) -> dict[str, int]:
        cur = self._con.cursor()
        try:
            return {name: cur.execute("SELECT count(*) FROM " + ident(name)).fetchone()[0] for name in VIEWS}
        finally:
            cur.close()

    def run(self, query: str, *, time_limit: float = 10.0, row_cap: int = 5000) -> Result:
        """Run one SELECT; at most ``row_cap`` rows; interrupted after ``time_limit`` seconds."""
        statement = check_statement(query)
        cur = self._con.cursor()
        timer = threading.Timer(time_limit, cur.interrupt)
        start = time.monotonic()
        timer.start()
        try:
            table = cur.sql(statement).limit(row_cap + 1).to_arrow_table()
        except duckdb.InterruptException as exc:
            raise SandboxError(f"The query ran past the {time_limit:g} s time limit and was stopped.") from exc
        except duckdb.Error as exc:
            raise SandboxError(_message(exc)) from exc
        finally:
            timer.cancel()
            cur.close()
        seconds = time.monotonic() - start
        truncated = table.num_rows > row_cap
        return Result(table.slice(0, row_cap), truncated, seconds)
