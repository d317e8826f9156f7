"""The current tables and the derived tables (spec 3 versions; queries/load/*.sql).

After new files arrive, ``rebuild`` decides the winning version of each key (marked
``_current`` in ``acc_<table>``: the current tables ``orders``, ``shipments``, ... are views of
the rows marked, schema.current_view) and rebuilds ``order_facts``, ``stage_timeline``, ``message_facts``,
``call_facts``, ``batch_reach``, ``call_batches`` and the rest, in one transaction, so readers
on other cursors always see a consistent launch. A drop that is a small share of a table is applied incrementally.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import duckdb

from . import resolve, sql
from .schema import CURRENT, INTERNAL, ORDER_KEY, TABLES, TS, WITHDRAWN, Table, current_view, ident

# Store.stable_before when nothing was loaded since: every moment is unchanged.
END_OF_TIME = datetime.max.replace(tzinfo=timezone.utc)
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# The tables the derived tables of queries/load/order_facts.sql are built from; call_facts
# (queries/load/call_facts.sql) is built from those and calls.
FACT_SOURCES = ("orders", "shipments", "activations", "messages")
# The steps of a whole rebuild (``rebuild(step=...)``), in order: each table's current versions
# (named after the table; orders first, as _rebuild builds them), each table that
# queries/load/order_facts.sql creates (ORDER_FACTS_TABLES), call_facts, message_conflicts, who
# each batch reached (batch_reach, call_batches); then the Store's checkpoint, which compresses
# what was rebuilt (loader.py). At 1M orders each takes under a second to ~15 s.
ORDER_FACTS_TABLES = ("order_facts", "attempt_facts", "stage_timeline", "stage_spans", "message_facts",
                      "customer_facts", "orphan_rows")
BUILD_STEPS = (*sorted(TABLES, key=lambda n: (n != "orders", n)), *ORDER_FACTS_TABLES, "call_facts",
               "message_conflicts", "batch_facts", "checkpoint")
# The table a statement of queries/load/order_facts.sql creates: the step it belongs to; a step's
# scratch tables and views are named after it (`stage_timeline__running`), and the statements
# that create none (INSERT, DROP) belong to the step before them.
_CREATES = re.compile(r"CREATE OR REPLACE (?:TEMP )?(?:TABLE|VIEW) (\w+?)(?:__\w+)?\s")

# A refresh whose new rows are at most this share of a table's rows is applied incrementally.
DELTA_SHARE = 0.2


def rebuild(cur, tables: list[str], extras: dict[str, list[str]],
           new_files: dict[str, list[str]] | None = None, widened: set[str] = frozenset(),
           delta_share: float = DELTA_SHARE, *, conflict_window_hours: float,
           before_commit: Callable[[object], None] | None = None,
           step: Callable[[str], None] | None = None, first: bool = False) -> datetime | None:
    """Rebuild the current versions and order_facts in one transaction.

    With ``new_files``, a table whose new rows are a small share of it (and whose columns did
    not grow) is updated incrementally: only the keys those files touched are re-decided, and
    only the orders (and customers) they touched get new facts. The result is the same as a
    full rebuild; it is just cheaper for a drop into a big launch.

    ``conflict_window_hours`` (launch.toml) is the window of message_conflicts.
    ``before_commit(cur)`` runs last in the same transaction (the Store clears its pending marks).
    ``step(name)`` is called as each step of a whole rebuild begins (``BUILD_STEPS``: a table's
    current versions, then the derived tables), so that a long build can say where it is.
    ``first``: nothing was published yet, so no reader can see a half-built launch (a Store's
    first load into a new database): the current tables are committed before the derived tables
    are built, which then read committed tables (at 1M orders, ``message_facts`` over tables
    written in the same transaction took 12.8-14.1 s, over committed ones 8.6 s; the cold load
    ~5 s less). The Store's pending marks are cleared only in the last commit
    (``before_commit``), so a load stopped in between builds every table again next time.

    Returns the earliest timestamp of the rows replaced or added (``END_OF_TIME`` when none),
    or None when a table was rebuilt whole (see ``stable_before``).
    """
    window = {"conflict_window_hours": conflict_window_hours}
    # No statement of the build needs its rows kept in the order it read them (every order that
    # matters is an ORDER BY): without that, DuckDB streams the big CREATE TABLE ... AS without
    # holding rows back, which at 1M orders, at memory_limit, took 8 s off a 70 s build.
    # The setting is the database's (global): put back when the build ends.
    cur.execute("SET preserve_insertion_order = false")
    try:
        return _rebuild(cur, tables, extras, new_files, widened, delta_share, window, before_commit,
                        step or (lambda name: None), first)
    finally:
        cur.execute("RESET preserve_insertion_order")


def _rebuild(cur, tables: list[str], extras: dict[str, list[str]], new_files: dict[str, list[str]] | None,
             widened: set[str], delta_share: float, window: dict,
             before_commit: Callable[[object], None] | None, step: Callable[[str], None],
             first: bool) -> datetime | None:
    """``rebuild`` (its arguments, ``window`` the conflict window as a query parameter)."""
    earliest: list[datetime] = []
    whole = False
    cur.execute("BEGIN TRANSACTION")
    try:
        delta = {n for n in tables if new_files is not None and n not in widened
                 and _small_delta(cur, n, new_files[n], delta_share)}
        cur.execute("CREATE OR REPLACE TEMP TABLE lb_touched_orders (order_id VARCHAR)")
        cur.execute("CREATE OR REPLACE TEMP TABLE lb_touched_messages (message_id VARCHAR)")
        cur.execute("CREATE OR REPLACE TEMP TABLE lb_touched_calls (call_id VARCHAR)")
        # orders first: the numbers of calls and messages read from logs are looked up in the
        # current orders (launchboard.resolve), decided while those tables are built
        everything: bool | None = None
        decided = False
        built: set[str] = set()
        for name in sorted(tables, key=lambda n: n != "orders"):
            if name != "orders" and not decided:
                everything, decided = resolve.directory(cur, tables, delta, extras), True
            table = TABLES[name]
            if name in delta:
                earliest += _apply_delta(cur, table, new_files[name])
                continue
            whole = True
            step(name)
            # the rows of files taken out (ingest.unload_file) go now, with the launch they were in,
            # and so do the extra columns only those files had (ingest.Extras.drop)
            _drop_columns(cur, table, extras[name])
            cur.execute("DELETE FROM " + ident("acc_" + name) + " WHERE " + ident(WITHDRAWN))
            rows, keys = _several(cur, name, table.key)
            _mark_current(cur, name, table.key, rows, keys)
            cur.execute(current_view(table, extras[name]))  # its columns: the extras' order may change
            cur.execute("DROP TABLE lb_several")
            built.add(name)
            cur.execute("INSERT OR REPLACE INTO key_counts VALUES ($t, $n)", {"t": name, "n": keys})
        if not decided:
            everything = resolve.directory(cur, tables, delta, extras)
        # calls and messages read from logs: their customer from the number
        earliest += resolve.customers(cur, tables, delta, extras, everything, built)
        facts = set(FACT_SOURCES) & set(tables)
        if first and whole:  # no reader yet: the derived tables read committed current tables
            cur.execute("COMMIT")
            cur.execute("BEGIN TRANSACTION")
        if facts and not facts <= delta:
            # statement by statement, each step named by the table it creates
            announced = None
            for statement in duckdb.extract_statements(sql.load("load/order_facts")):
                creates = _CREATES.search(statement.query)
                if creates and creates.group(1) != announced:
                    announced = creates.group(1)
                    step(announced)
                cur.execute(statement.query)
            step("call_facts")
            cur.execute(sql.load("load/call_facts"))
            step("message_conflicts")
            sql.run(cur, "load/message_conflicts", window)
            step("batch_facts")
            _batch_facts(cur, None)
        else:
            if facts or "calls" in delta:
                _facts_delta(cur, window)
            if "calls" in tables and "calls" not in delta:  # calls rebuilt whole, the orders' facts not
                step("call_facts")
                cur.execute(sql.load("load/call_facts"))
                _batch_facts(cur, None, reach=False)
        cur.execute(sql.load("load/newest_events"))
        if before_commit is not None:
            before_commit(cur)
        cur.execute("COMMIT")
    except Exception:
        cur.execute("ROLLBACK")
        raise
    return None if whole else min(earliest, default=END_OF_TIME)


def _drop_columns(cur, table: Table, extras: list[str]) -> None:
    """Drop the columns of ``acc_<table>`` that are neither the contract's, the engine's nor one
    of ``extras`` (the extra columns the files still loaded have)."""
    keep = {*table.names, *INTERNAL, CURRENT, WITHDRAWN, ORDER_KEY, *extras}
    for (column,) in cur.execute("SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main'"
                                 " AND table_name = $t ORDER BY column_index", {"t": "acc_" + table.name}).fetchall():
        if column not in keep:
            cur.execute("ALTER TABLE " + ident("acc_" + table.name) + " DROP COLUMN " + ident(column))


# When at least this share of a table's keys have one row, only the keys with several are
# ranked (window functions over every row cost ~1.5x more for messages and shipments at 200k
# orders); orders, about half of them updated, are ranked whole.
SPLIT_SHARE = 0.9


def _several(cur, name: str, key: str) -> tuple[int, int]:
    """The keys of ``acc_<name>`` that have several versions, with how many, into the temp table
    ``lb_several (k, n)``, which ``_current`` reads; returns the table's rows and distinct keys.
    (One grouping of the keys for both: a count(DISTINCT) as well cost ~1 s more at 1M orders.)"""
    acc, key = ident("acc_" + name), ident(key)
    cur.execute("CREATE OR REPLACE TEMP TABLE lb_several AS SELECT " + key + " AS k, count(*) AS n FROM " + acc
                + " WHERE " + key + " IS NOT NULL GROUP BY ALL HAVING count(*) > 1")
    rows, keyed = cur.execute("SELECT count(*), count(" + key + ") FROM " + acc).fetchone()
    (repeats,) = cur.execute("SELECT coalesce(sum(n) - count(*), 0) FROM lb_several").fetchone()
    return rows, keyed - repeats


# Spec 3: a key's current version has the latest updated_at, then the latest file and line.
_LATEST = " ORDER BY updated_at DESC NULLS LAST, _file DESC, _line DESC"


def _mark_current(cur, name: str, key: str, rows: int, keys: int) -> None:
    """Mark the current version of each key of ``acc_<name>`` (every other row unmarked). Keys
    with several versions are those of the temp table ``lb_several`` (``_several``)."""
    acc, key = ident("acc_" + name), ident(key)
    ranked = acc
    if rows and keys / rows >= SPLIT_SHARE:
        ranked = "(SELECT rowid, * FROM " + acc + " SEMI JOIN lb_several ON " + acc + "." + key + " = lb_several.k)"
    cur.execute("CREATE OR REPLACE TEMP TABLE lb_superseded AS SELECT rowid AS r FROM " + ranked
                + " QUALIFY row_number() OVER (PARTITION BY " + key + _LATEST + ") > 1")
    cur.execute("UPDATE " + acc + " SET " + ident(CURRENT) + " = rowid NOT IN (SELECT r FROM lb_superseded)")
    cur.execute("DROP TABLE lb_superseded")


def _small_delta(cur, name: str, files: list[str], share: float) -> bool:
    total, new = cur.execute(
        "SELECT count(*), count(*) FILTER (WHERE list_contains($files, _file)) FROM " + ident("acc_" + name),
        {"files": files},
    ).fetchone()
    return new <= share * (total - new)

def _apply_delta(cur, table: Table, files: list[str]) -> list[datetime]:
    """Re-decide the current version of every key the new files carry (spec 3 versions).
    Returns the earliest timestamp of those keys' current rows before and after (when any)."""
    name, key, acc = ident(table.name), ident(table.key), ident("acc_" + table.name)
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE lb_delta_keys AS SELECT DISTINCT " + key + " AS k FROM "
        + acc + " WHERE list_contains($files, _file)",
        {"files": files},
    )
    # Every version of those keys, read from acc_<table> once for the two uses below.
    cur.execute("CREATE OR REPLACE TEMP TABLE lb_delta_versions AS SELECT rowid AS r, " + key + " AS k, _file,"
                " row_number() OVER (PARTITION BY " + key + _LATEST + ") = 1 AS latest FROM " + acc
                + " WHERE " + key + " IN (SELECT k FROM lb_delta_keys)")
    # Keys no earlier file carried are new distinct keys (key_counts, for the quality page).
    cur.execute(
        "UPDATE key_counts SET distinct_keys = distinct_keys + (SELECT count(*) FROM lb_delta_keys ANTI JOIN"
        " (SELECT k FROM lb_delta_versions WHERE NOT list_contains($files, _file)) USING (k)) WHERE table_name = $t",
        {"files": files, "t": table.name},
    )
    # The earliest timestamp of each current row of those keys (microseconds since the epoch).
    first = ("SELECT epoch_us(least(" + ", ".join(ident(c.name) for c in table.columns if c.kind == TS)
             + ")) FROM " + name + " WHERE " + key + " IN (SELECT k FROM lb_delta_keys)")
    touched = ("INSERT INTO lb_touched_orders SELECT " + ("order_id" if table.name != "orders" else key)
               + " FROM " + name + " WHERE " + key + " IN (SELECT k FROM lb_delta_keys)")
    if table.name in FACT_SOURCES:
        cur.execute(touched)  # the orders these keys belonged to before
    stamps = cur.execute(first).fetchall()
    cur.execute("UPDATE " + acc + " SET " + ident(CURRENT) + " = v.latest FROM lb_delta_versions v WHERE "
                + acc + ".rowid = v.r")
    stamps += cur.execute(first).fetchall()
    if table.name in FACT_SOURCES:
        cur.execute(touched)  # and the orders they belong to now
    if table.name in ("messages", "calls"):
        cur.execute("INSERT INTO lb_touched_" + table.name + " SELECT k FROM lb_delta_keys")
    known = [us for (us,) in stamps if us is not None]
    return [EPOCH + timedelta(microseconds=min(known))] if known else []

def _facts_delta(cur, window: dict) -> None:
    """The derived tables for the touched orders, their customers, their messages and the
    customers' calls only: the same queries/load/order_facts.sql and call_facts.sql, run in
    a scratch schema holding just those rows. A touched call brings in its caller's orders.
    Then message_conflicts (queries/load/message_conflicts.sql, ``window``) for the customers
    of the messages whose facts changed, before and after."""
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
    cur.execute("CREATE SCHEMA IF NOT EXISTS lb_delta")  # scratch; its tables are dropped at the end
    for name in ("orders", "shipments", "activations"):
        cur.execute("CREATE OR REPLACE TABLE lb_delta." + ident(name) + " AS SELECT * FROM main." + ident(name)
                    + " WHERE order_id IN (SELECT order_id FROM lb_fact_orders)")
    # A touched message names one of the touched orders or none (its orders before and after,
    # _apply_delta; the order it names, resolve.customers): one semi-join on the order, and one on
    # the id for the messages naming none (a 1% drop at 1M orders: 0.63 -> 0.06 s; with OR, no
    # filter reached the scan).
    # (the current rows of acc_messages: order_facts.sql numbers messages by their rowid there)
    cur.execute("CREATE OR REPLACE TABLE lb_delta.acc_messages AS SELECT * FROM main.acc_messages"
                " WHERE _current AND order_id IN (SELECT order_id FROM lb_fact_orders)"
                " UNION ALL SELECT * FROM main.acc_messages"
                " WHERE _current AND order_id IS NULL AND message_id IN (SELECT message_id FROM lb_touched_messages)")
    cur.execute("CREATE OR REPLACE VIEW lb_delta.messages AS SELECT * EXCLUDE (" + ident(CURRENT) + ", "
                + ident(WITHDRAWN) + ") FROM lb_delta.acc_messages")  # main.messages' columns
    # likewise a touched call is one of the touched customers' calls (above) or has no customer
    cur.execute("CREATE OR REPLACE TABLE lb_delta.calls AS SELECT * FROM main.calls"
                " WHERE customer_id IN (SELECT customer_id FROM lb_touched_customers)"
                " UNION ALL SELECT * FROM main.calls"
                " WHERE customer_id IS NULL AND call_id IN (SELECT call_id FROM lb_touched_calls)")
    cur.execute("SET schema = 'lb_delta'")
    cur.execute("SET search_path = 'lb_delta,main'")
    try:
        cur.execute(sql.load("load/order_facts"))
        cur.execute(sql.load("load/call_facts"))
    finally:
        cur.execute("SET schema = 'main'")
        cur.execute("RESET search_path")
    for name in ("order_facts", "attempt_facts", "stage_timeline", "stage_spans", "orphan_rows"):
        cur.execute("DELETE FROM main." + name + " WHERE order_id IN (SELECT order_id FROM lb_fact_orders)")
        cur.execute("INSERT INTO main." + name + " SELECT * FROM lb_delta." + name)
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE lb_conflict_customers AS"
        " SELECT customer_id FROM main.message_facts WHERE message_id IN (SELECT message_id FROM lb_delta.messages)"
        " UNION SELECT customer_id FROM lb_delta.message_facts"
    )
    # the customers of those messages before and after: whom their batches reached may change
    cur.execute("CREATE OR REPLACE TEMP TABLE lb_message_customers AS"
                " SELECT customer_id FROM main.message_facts WHERE message_id IN (SELECT message_id FROM lb_delta.messages)"
                " UNION SELECT customer_id FROM lb_delta.messages")
    cur.execute("DELETE FROM main.message_facts WHERE message_id IN (SELECT message_id FROM lb_delta.messages)")
    cur.execute("INSERT INTO main.message_facts SELECT * FROM lb_delta.message_facts")
    cur.execute("DELETE FROM main.customer_facts WHERE customer_id IN (SELECT customer_id FROM lb_touched_customers)")
    cur.execute("INSERT INTO main.customer_facts SELECT * FROM lb_delta.customer_facts")
    cur.execute("DELETE FROM main.call_facts WHERE call_id IN (SELECT call_id FROM lb_delta.calls)")
    cur.execute("INSERT INTO main.call_facts SELECT * FROM lb_delta.call_facts")
    cur.execute("CREATE OR REPLACE TABLE lb_delta.message_facts AS SELECT * FROM main.message_facts"
                " WHERE customer_id IN (SELECT customer_id FROM lb_conflict_customers)")
    cur.execute("SET schema = 'lb_delta'")
    cur.execute("SET search_path = 'lb_delta,main'")
    try:
        sql.run(cur, "load/message_conflicts", window)
    finally:
        cur.execute("SET schema = 'main'")
        cur.execute("RESET search_path")
    cur.execute("DELETE FROM main.message_conflicts WHERE customer_id IN (SELECT customer_id FROM lb_conflict_customers)")
    cur.execute("INSERT INTO main.message_conflicts SELECT * FROM lb_delta.message_conflicts")
    # The scratch tables go before the commit, so that it writes none of their rows to the
    # write-ahead log (a 1% drop at 1M orders: visible ~0.3 s sooner). Table by table: DROP
    # SCHEMA ... CASCADE here made the COMMIT fail on message_conflicts (DuckDB 2.0).
    cur.execute("DROP VIEW lb_delta.messages")
    for (name,) in cur.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'lb_delta'").fetchall():
        cur.execute("DROP TABLE lb_delta." + ident(name))
    _batch_facts(cur, "SELECT customer_id FROM lb_touched_customers UNION SELECT customer_id FROM lb_message_customers")


def _batch_facts(cur, customers: str | None, *, reach: bool = True) -> None:
    """batch_reach and call_batches (queries/load/batch_reach.sql, call_batches.sql) for the
    customers the query ``customers`` selects, or for everyone (None); with ``reach=False`` only
    call_batches (the messages did not change). A touched call loses its rows whoever called."""
    whole = customers is None
    cur.execute("CREATE OR REPLACE TEMP TABLE lb_batch_customers AS "
                + ("SELECT NULL::VARCHAR AS customer_id LIMIT 0" if whole else customers))
    mine = " WHERE customer_id IN (SELECT customer_id FROM lb_batch_customers)"
    if reach:
        cur.execute("TRUNCATE batch_reach" if whole else "DELETE FROM batch_reach" + mine)
        sql.run(cur, "load/batch_reach", {"whole": whole})
    cur.execute("TRUNCATE call_batches" if whole else
                "DELETE FROM call_batches" + mine + " OR call_id IN (SELECT call_id FROM lb_touched_calls)")
    sql.run(cur, "load/call_batches", {"whole": whole})
