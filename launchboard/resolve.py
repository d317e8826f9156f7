"""The customers behind phone numbers (issue 13: calls and messages read from logs).

A queue_log names the caller's number and a Twilio export the recipient's, not a customer: their
readers keep the number, in national form, as the extra column ``customer_phone``. The customer
is decided here, each time the current tables are built, from the *current* orders, so an
orders extract that lags behind the logs is caught up with by its next drop:

- a call's customer is the one customer whose orders carry the number (``orders.phone`` in the
  same national form, ``lb_phone``); none, or several customers (a shared family number), leave
  it unknown (null), as the contract allows;
- a message's customer is the customer of the order its text names, when the orders carry that
  order; else the one customer whose orders carry the number; else a stand-in for the number
  (``lb_phone_standin``), since the contract requires one: the message is counted (sent,
  failed, quiet hours …) and a later drop replaces the stand-in.

``phone_directory`` holds every current order's number (``directory``, right after the orders
are built). ``customers`` then decides them, written into the current rows of
``acc_calls`` / ``acc_messages`` (the current tables are views of those): every row with a number
when the orders or that table were rebuilt whole, else only the rows a drop brings and those
whose number or order it touched; their facts are rebuilt with the drop's.
"""
from __future__ import annotations

from datetime import datetime

from . import sql
from .schema import ident

PHONE = "customer_phone"
KEYS = {"calls": "call_id", "messages": "message_id"}


def phoned(extras: dict[str, list[str]]) -> list[str]:
    """The tables whose rows may carry a number (a log source fed them ``customer_phone``)."""
    return [t for t in KEYS if PHONE in extras[t]]


def directory(cur, tables: list[str], delta: set[str], extras: dict[str, list[str]]) -> bool | None:
    """Bring ``phone_directory`` up to date with the current orders (inside derive.rebuild's
    transaction, after ``orders`` is built). Returns whether every row with a number must be
    decided again (the orders were rebuilt whole, or there was no directory yet); None when no
    table carries numbers. After a drop of orders, ``lb_resolve_phones`` holds the numbers of
    the orders it touched (before and after)."""
    if not phoned(extras):
        return None
    (exists,) = cur.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'phone_directory'"
                            " AND schema_name = current_schema()").fetchone()
    everything = ("orders" in tables and "orders" not in delta) or not exists
    cur.execute("CREATE OR REPLACE TEMP TABLE lb_resolve_phones (phone VARCHAR)")
    if everything:
        cur.execute(sql.load("load/phone_directory"))
    elif "orders" in delta:  # the touched orders' numbers, before and after
        touched = "order_id IN (SELECT order_id FROM lb_touched_orders)"
        cur.execute("INSERT INTO lb_resolve_phones SELECT phone FROM phone_directory WHERE " + touched)
        cur.execute("DELETE FROM phone_directory WHERE " + touched)
        cur.execute("INSERT INTO phone_directory SELECT order_id, customer_id, lb_phone(phone) FROM orders"
                    " WHERE lb_has_phone(phone) AND " + touched)
        cur.execute("INSERT INTO lb_resolve_phones SELECT phone FROM phone_directory WHERE " + touched)
    return everything


def touched_whole(cur, table: str) -> None:
    """A table rebuilt whole: its rows with a number join ``lb_touched_<table>`` (their facts
    are rebuilt, as for ``customers``)."""
    key = ident(KEYS[table])
    cur.execute("INSERT INTO " + ident("lb_touched_" + table) + " SELECT " + key + " FROM " + ident(table)
                + " WHERE " + ident(PHONE) + " IS NOT NULL")


def customers(cur, tables: list[str], delta: set[str], extras: dict[str, list[str]], everything: bool | None,
              built: set[str] = frozenset()) -> list[datetime]:
    """Decide ``customer_id`` for the current rows with a number, inside derive.rebuild's
    transaction after ``directory``. Rows whose customer changed join ``lb_touched_<table>``
    (their facts are rebuilt), unless their table is in ``built`` (rebuilt whole: every fact is
    rebuilt; a calls table's rows with a number join it all, ``touched_whole``); returns the
    earliest timestamp among them (``stable_before``)."""
    if everything is None:
        return []
    earliest: list[datetime] = []
    for table in phoned(extras):
        name, key, resolved = ident(table), ident(KEYS[table]), ident("lb_resolved_" + table)
        acc = ident("acc_" + table)
        whole = everything or (table in tables and table not in delta)
        if whole:  # every row with a number ($whole)
            cur.execute("CREATE OR REPLACE TEMP TABLE " + ident("lb_resolve_" + table) + " AS SELECT " + key
                        + " FROM " + name + " LIMIT 0")
        else:
            sql.run(cur, "load/resolve_scope_" + table)
        sql.run(cur, "load/resolve_" + table, {"whole": whole})
        cur.execute("UPDATE " + acc + " SET customer_id = r.customer_id FROM " + resolved + " r WHERE "
                    + acc + "." + key + " = r." + key + " AND " + acc + "._current")
        if table in built:  # messages are a fact source: built whole, every fact is rebuilt
            if table == "calls":
                touched_whole(cur, table)
            continue
        cur.execute("INSERT INTO " + ident("lb_touched_" + table) + " SELECT " + key + " FROM " + resolved)
        if table == "messages" and not whole:
            # and the orders they name: every touched message is then one of the touched orders'
            # messages or names none (derive._facts_delta selects them so)
            cur.execute("INSERT INTO lb_touched_orders SELECT order_id FROM lb_resolved_messages"
                        " WHERE order_id IS NOT NULL")
        (first,) = cur.execute("SELECT min(first_at) FROM " + resolved).fetchone()
        if first is not None:
            earliest.append(first)
    return earliest
