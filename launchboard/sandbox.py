"""Explore: analysts' SQL on a locked-down copy of the curated launch tables.

The sandbox's tables live outside the Store, in DuckDB files of their own. A table is copied
from its curated view (``queries/explore_*.sql``, phone-like columns masked before the rows
leave the Store) the first time a query reads it. A query runs on a new connection that
attaches the files it reads read-only, with file, network and extension access disabled and
the configuration locked. A query must be exactly one SELECT (or WITH … SELECT) statement; it
is interrupted past a time limit and its result is capped. No message or result names a server
path (``launchboard.redact``).
"""
from __future__ import annotations

import json
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
from typing import NamedTuple

import duckdb
import pandas as pd
import pyarrow as pa

from . import redact, sql
from .i18n import N_, _
from .loader import StaleVersion
from .schema import ident

class View(NamedTuple):
    query: str  # queries/<query>.sql, without an ORDER BY (counting its rows needs no sort)
    order_by: tuple[str, ...]  # the copied table's row order
    what: str  # what a row is: translated where shown


# Sandbox table -> its curated view. The order is the schema browser's.
VIEWS: dict[str, View] = {
    "orders": View("explore_orders", ("order_id",), N_("one row per order (current version); phone masked")),
    "order_stages": View("explore_order_stages", ("order_id",),
                         N_("one row per order existing at the moment, with its stage then")),
    "shipments": View("explore_shipments", ("event_id",), N_("one row per courier tracking event")),
    "activations": View("explore_activations", ("attempt_id",), N_("one row per activation attempt")),
    "messages": View("explore_messages", ("message_id",), N_("one row per outbound notification")),
    "calls": View("explore_calls", ("call_id",), N_("one row per inbound call")),
    "rejected_rows": View("explore_rejected_rows", ("table_name", "file", "line"),
                          N_("one row per rejected row; phone numbers in content masked")),
    "files": View("explore_files", ("table_name", "file"), N_("one row per extract file, loaded or rejected")),
}
# Columns masked like orders.phone, extra columns included (Korean exports: 전화, 휴대폰, 연락처).
PHONE_COLUMN = re.compile(r"phone|mobile|msisdn|(^|_)tel(_|$)|전화|휴대|핸드폰|연락처")
ALLOWED = "SELECT"

EXAMPLES: dict[str, str] = {  # name (translated where shown) -> SQL
    N_("Orders by stage (at the moment)"): (
        "SELECT stage, count(*) AS orders\nFROM order_stages\nGROUP BY stage\nORDER BY orders DESC"
    ),
    N_("Deliveries per hour"): (
        "SELECT date_trunc('hour', event_at) AS hour, count(*) AS delivered\nFROM shipments\n"
        "WHERE event = 'delivered'\nGROUP BY hour\nORDER BY hour"
    ),
    N_("Activation failures by error code"): (
        "SELECT error_code, count(*) AS failed\nFROM activations\nWHERE result = 'failed'\n"
        "GROUP BY error_code\nORDER BY failed DESC"
    ),
    N_("Calls lost per hour"): (
        "SELECT date_trunc('hour', arrived_at) AS hour,\n"
        "       count(*) FILTER (WHERE outcome <> 'answered') AS lost,\n       count(*) AS offered\n"
        "FROM calls\nGROUP BY hour\nORDER BY hour"
    ),
    N_("Messages by template and status"): (
        "SELECT template, status, count(*) AS messages\nFROM messages\nGROUP BY ALL\nORDER BY messages DESC"
    ),
    N_("Orders past their delivery promise, by region"): (
        "SELECT region, count(*) AS late_orders\nFROM order_stages\n"
        "WHERE promised_delivery_by <= stage_as_of\n"
        "  AND stage <> 'cancelled'\n"
        "  AND (first_delivered_at IS NULL OR first_delivered_at > promised_delivery_by)\n"
        "GROUP BY region\nORDER BY late_orders DESC"
    ),
    N_("Rejected rows by reason"): (
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
    copied: tuple[str, ...] = ()  # tables this query was the first to need, copied before it ran
    copy_seconds: float = 0.0

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
        raise SandboxError(_("Write one SELECT query (or WITH … SELECT)."))
    if len(statements) > 1:
        raise SandboxError(_("Only one statement at a time: this text holds {n}.").format(n=len(statements)))
    kind = statements[0].type.name
    if kind != ALLOWED:
        raise SandboxError((_("Only SELECT (or WITH … SELECT) queries run here; this is an {kind} statement.")
                            if kind[0] in "AEIOU" else
                            _("Only SELECT (or WITH … SELECT) queries run here; this is a {kind} statement.")).format(
            kind=kind))
    return statements[0].query.strip().rstrip(";")


def _message(exc: duckdb.Error) -> str:
    text = str(exc).strip()
    if isinstance(exc, duckdb.PermissionException):
        return _("Not allowed here (no file, network or extension access): {error}").format(error=text)
    return text


def _curated(cur, name: str, as_of: datetime) -> tuple[str, dict, list[tuple[str, str]]]:
    """The SQL of sandbox table ``name`` on the Store, phone-like columns masked, its values and
    its (column, type) pairs."""
    query = VIEWS[name].query
    text, values = sql.load(query), sql.bind(query, {"as_of": as_of})
    described = [(row[0], row[1]) for row in cur.execute("DESCRIBE " + text, values).fetchall()]
    phones = [c for c, _ in described if PHONE_COLUMN.search(c)]
    if phones:
        masked = ", ".join("lb_mask_phone(" + ident(c) + ") AS " + ident(c) for c in phones)
        text = "SELECT * REPLACE (" + masked + ") FROM (" + text + ")"
        described = [(row[0], row[1]) for row in cur.execute("DESCRIBE " + text, values).fetchall()]
    return text, values, described


def tables_of(statement: str) -> list[str]:
    """The sandbox tables a statement names, in VIEWS order, from its parse tree alone (a CTE
    named like one counts too)."""
    con = _locked("64MB", 1)
    try:
        tree = json.loads(con.execute("SELECT json_serialize_sql($q)", {"q": statement}).fetchone()[0])
    finally:
        con.close()
    named, stack = set(), [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("type") == "BASE_TABLE":
                named.add(str(node.get("table_name", "")).lower())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return [name for name in VIEWS if name in named]


def _locked(memory_limit: str, threads: int) -> duckdb.DuckDBPyConnection:
    """A new in-memory connection without extension loading or Python replacement scans."""
    return duckdb.connect(config={
        "memory_limit": memory_limit,
        "threads": threads,
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "python_enable_replacements": False,
    })


class Sandbox:
    """The curated tables of one moment, each copied out of the Store the first time a query
    needs it (at 1M orders, copying every table took ~25 s; ``messages`` alone ~11 s).

    The tables a query is the first to read go into a new DuckDB file, written once. Each query
    runs on a new connection that attaches the files it reads read-only, then turns off file,
    network and extension access and locks its configuration. Every copy reads the Store at the
    version the sandbox was made from; after a refresh the page asks for a new sandbox.
    """

    def __init__(self, store, as_of: datetime, *, memory_limit: str = "1GB", threads: int = 1):
        self._store = store
        self._as_of = as_of
        self._memory_limit, self._threads = memory_limit, threads
        self._folder = tempfile.mkdtemp(prefix="launchboard-sandbox-")
        self._finalizer = weakref.finalize(self, shutil.rmtree, self._folder, True)
        self._files: dict[str, str] = {}  # sandbox table -> its database file, once copied
        self._copy_lock = threading.Lock()
        self._paths = redact.server_paths(self._folder, Path(store.data_dir).resolve())
        try:
            with store.snapshot() as (cur, version):
                self.version = version
                parts, counts = [], {}
                for name in VIEWS:
                    text, values, described = _curated(cur, name, as_of)
                    parts.append(pd.DataFrame({"table": name, "column": [r[0] for r in described],
                                               "type": [r[1] for r in described]}))
                    counts[name] = cur.execute("SELECT count(*) FROM (" + text + ")", values).fetchone()[0]
        except BaseException:
            self.close()
            raise
        self._schema = pd.concat(parts, ignore_index=True)
        self._counts = counts

    def close(self) -> None:
        self._finalizer()

    def schema(self) -> pd.DataFrame:
        """table, column, type of every sandbox table, in VIEWS order then column order."""
        return self._schema.copy()

    def row_counts(self) -> dict[str, int]:
        return dict(self._counts)

    def copied(self) -> list[str]:
        """The tables copied so far, in VIEWS order."""
        return [name for name in VIEWS if name in self._files]

    def _copy(self, names: list[str]) -> tuple[str, ...]:
        """Copy the tables in ``names`` not copied yet, from the Store at this sandbox's version;
        returns those this call copied."""
        with self._copy_lock:
            missing = tuple(n for n in names if n not in self._files)
            if not missing:
                return ()
            # One file per copy: a transaction writes to one database only.
            path = str(Path(self._folder) / f"copy_{len(set(self._files.values())) + 1}.duckdb")
            alias = ident("lb_sandbox_" + uuid.uuid4().hex)  # each copy attaches under its own name
            cur = self._store.cursor()
            try:
                cur.execute("ATTACH $path AS " + alias, {"path": path})
                try:
                    with self._store.snapshot(self.version) as (snap, _version):
                        for name in missing:
                            text, values, _masked = _curated(snap, name, self._as_of)
                            order = ", ".join(ident(c) for c in VIEWS[name].order_by)
                            snap.execute("CREATE TABLE " + alias + "." + ident(name) + " AS SELECT * FROM ("
                                         + text + ") ORDER BY " + order, values)
                finally:
                    cur.execute("DETACH " + alias)
            except StaleVersion as exc:
                raise SandboxError(_("New extracts arrived since this page was drawn; run the query again "
                                     "to query the launch as it is now.")) from exc
            finally:
                cur.close()
            self._files.update(dict.fromkeys(missing, path))
            return missing

    def connect(self, names: list[str]) -> duckdb.DuckDBPyConnection:
        """A locked-down connection on the copied tables ``names``: read-only, no file, network
        or extension access, configuration locked."""
        con = _locked(self._memory_limit, self._threads)
        try:
            # The time zone comes with the ICU extension, so it is set after connecting.
            con.execute("SET GLOBAL TimeZone = $tz", {"tz": self._store.config.timezone})
            aliases = []
            for path in dict.fromkeys(self._files[name] for name in names):
                aliases.append("lb_" + Path(path).stem)
                con.execute("ATTACH $path AS " + ident(aliases[-1]) + " (READ_ONLY)", {"path": path})
            if aliases:  # unqualified names find the tables; the first database is the default
                con.execute("SET search_path = $path", {"path": ",".join(aliases)})
            con.execute("SET GLOBAL enable_external_access = false")
            con.execute("SET GLOBAL lock_configuration = true")
        except BaseException:
            con.close()
            raise
        return con

    def run(self, query: str, *, time_limit: float = 10.0, row_cap: int = 5000) -> Result:
        """Run one SELECT; at most ``row_cap`` rows; interrupted after ``time_limit`` seconds (the
        copy of a table's first use comes before and does not count). Server paths in the
        result or in an error's message are masked."""
        try:
            res = self._run(query, time_limit, row_cap)
        except SandboxError as exc:
            raise SandboxError(redact.text(str(exc), self._paths)) from exc
        return Result(redact.table(res.table, self._paths), res.truncated, res.seconds, res.copied, res.copy_seconds)

    def _run(self, query: str, time_limit: float, row_cap: int) -> Result:
        statement = check_statement(query)
        names = tables_of(statement)
        start = time.monotonic()
        copied = self._copy(names)
        copy_seconds = time.monotonic() - start
        con = self.connect(names)
        timer = threading.Timer(time_limit, con.interrupt)
        start = time.monotonic()
        timer.start()
        try:
            table = con.sql(statement).limit(row_cap + 1).to_arrow_table()
        except duckdb.InterruptException as exc:
            raise SandboxError(_("The query ran past the {seconds} s time limit and was stopped.").format(
                seconds=f"{time_limit:g}")) from exc
        except duckdb.Error as exc:
            raise SandboxError(_message(exc)) from exc
        finally:
            timer.cancel()
            con.close()
        seconds = time.monotonic() - start
        truncated = table.num_rows > row_cap
        return Result(table.slice(0, row_cap), truncated, seconds, copied, copy_seconds if copied else 0.0)
